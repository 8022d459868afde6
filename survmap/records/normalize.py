"""Name normalisation: 'Warren Police Dept.' and 'WARREN POLICE DEPARTMENT' are one agency."""

import re
import unicodedata

from survmap.common.memo import memo

# Format characters (category Cf) such as U+200E LEFT-TO-RIGHT MARK and U+FEFF hide in copied text.
_ABBREVIATIONS = {
    "dept": "department",
    "dep't": "department",
    "pd": "police department",
    "so": "sheriff's office",
    "sheriffs": "sheriff's",
    "co": "county",
    "twp": "township",
    "univ": "university",
    "&": "and",
}


def clean_text(value: str) -> str:
    """Drop invisible format characters, fold unusual spaces, trim."""
    if not value:
        return ""
    if value.isascii():  # no format characters, nothing to compose: the common case, fast
        return " ".join(value.split())
    value = unicodedata.normalize("NFC", value)
    value = "".join(" " if ch.isspace() else ch for ch in value if unicodedata.category(ch) != "Cf")
    return re.sub(r"\s+", " ", value).strip()


def normalize_name(value: str) -> str:
    """The key that decides whether two agency names in one state are the same agency."""
    return _normalized(value)


@memo(maxsize=16_384)
def _normalized(value: str) -> str:
    # Cached: an import asks for each row's agency key several times.
    text = unicodedata.normalize("NFKD", clean_text(value))
    text = "".join(ch for ch in text if not unicodedata.combining(ch)).casefold()
    text = text.replace("\u2019", "'")
    words = re.findall(r"[a-z0-9&']+", text)
    expanded = " ".join(_ABBREVIATIONS.get(word.strip("'"), word) for word in words)
    return re.sub(r"[^a-z0-9 ]", "", expanded).strip()
