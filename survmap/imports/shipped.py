"""The real data shipped in the repository: the EFF's 2020 Atlas export (CC BY 4.0)."""

from pathlib import Path

# fixtures/atlas/README.md says where it comes from and how to load a newer export.
SHIPPED_ATLAS = (
    Path(__file__).resolve().parent.parent.parent
    / "fixtures"
    / "atlas"
    / "Atlas_of_Surveillance-20201007.csv.xz"
)
