"""The real data shipped in the repository: the FBI's agency directory (public domain), the EFF's
2020 Atlas export (CC BY 4.0) and The News & Observer's Private Eyes data on Flock's transparency
portals (MIT)."""

from pathlib import Path

_FIXTURES = Path(__file__).resolve().parent.parent.parent / "fixtures"

# fixtures/atlas/README.md says where it comes from and how to load a newer export.
SHIPPED_ATLAS = _FIXTURES / "atlas" / "Atlas_of_Surveillance-20201007.csv.xz"
# fixtures/flock/README.md: the files, their checksums, their licence.
SHIPPED_FLOCK = _FIXTURES / "flock"
# fixtures/directory/README.md: the FBI Crime Data Explorer's agency list of September 2018.
SHIPPED_DIRECTORY = _FIXTURES / "directory" / "agencies-2018-09.csv.xz"
# fixtures/research/README.md: Flock labels the rules leave unresolved that a person matched to
# their agency by hand, each with the reason (read by `flock_resolve.read_checked`).
CHECKED_FLOCK_ORGANISATIONS = _FIXTURES / "research" / "flock-organisations.csv"
