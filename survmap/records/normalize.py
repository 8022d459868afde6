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


# Agency names as people write them: one key for the ways of writing one agency's name. Applied to
# normalize_name's words (which already read 'PD', 'SO', 'Dept', 'Twp', 'Co' and '&'), so two names
# with one normalised name always have one key.
_KEY_WORDS = {
    "st": "saint",
    "ste": "sainte",
    "ft": "fort",
    "mt": "mount",
    "dpt": "department",
    "sheriff": "sheriffs",
    # Louisiana's parishes are its counties: the FBI writes 'Jefferson County Sheriff's Office'.
    "parish": "county",
}
# The kind of agency a name ends with, however it is written: (the key's word, the endings).
_KIND_ENDINGS = (
    (
        "police",
        (
            "police department",
            "department of police",
            "police services",
            "police service",
            "police force",
            "police division",
            "police bureau",
            "bureau of police",
            "police",
        ),
    ),
    ("sheriff", ("sheriffs office", "sheriffs department", "sheriffs")),
    ("public safety", ("department of public safety", "public safety department", "public safety")),
)
# 'City of Warren Police' is the Warren Police Department; a village, town, borough or township
# keeps its word ('Village of Camden' is the Camden Village police, not a city's).
_PLACE_PREFIXES = (
    ("city of", ""),
    ("town of", "town"),
    ("village of", "village"),
    ("borough of", "borough"),
    ("township of", "township"),
    ("county of", "county"),
)


def agency_name_key(value: str) -> str:
    """The key under which two ways of writing an agency's name in one state are one name:
    'Warren PD', 'City of Warren Police' and 'Warren Police Dept.' are 'warren police';
    'Dare County SO' and 'Dare County Sheriff's Office' are 'dare county sheriff'. A university's
    police keep the university's name, a county sheriff the county's: never the city's."""
    return _agency_name_key(value)


@memo(maxsize=16_384)
def _agency_name_key(value: str) -> str:
    words = [_KEY_WORDS.get(word, word) for word in normalize_name(value).split()]
    if words[:1] == ["the"] and len(words) > 1:
        words = words[1:]
    text = " ".join(words)
    kind = ""
    for key_word, endings in _KIND_ENDINGS:
        ending = next((e for e in endings if text == e or text.endswith(" " + e)), None)
        if ending is not None:
            text, kind = text[: len(text) - len(ending)].strip(), key_word
            break
    for prefix, word in _PLACE_PREFIXES:
        if text.startswith(prefix + " "):
            text = text[len(prefix) + 1 :] + (" " + word if word else "")
            break
    return " ".join(part for part in (text, kind) if part)
