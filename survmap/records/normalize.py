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


# Colleges and universities: the FBI names their police by the institution, with the campus
# after a colon ('Baylor University: Waco', 'Rutgers University: Newark').
_CAMPUS = re.compile(r"\b(university|college|institute of technology)\b", re.IGNORECASE)
_COUNTY_QUALIFIER = re.compile(r",\s*[A-Z][A-Za-z.'\- ]{1,30}? County\b(?=\s|$)")
# A word for the place's form of government, between its name and the kind of agency.
_PLACE_WORDS = ("township", "town", "village", "borough", "city")
# Names whose usual and formal forms differ by more than the rules above say.
_KEY_PHRASES = {
    # Miami-Dade's police are the county's; there is no city of Miami-Dade to confuse them with.
    "miami dade county": "miami dade",
}


def agency_name_key(value: str) -> str:
    """The key under which two ways of writing an agency's name in one state are one name:
    'Warren PD', 'City of Warren Police' and 'Warren Police Dept.' are 'warren police';
    'Dare County SO' and 'Dare County Sheriff's Office' are 'dare county sheriff'. A university's
    police keep the university's name, a county sheriff the county's: never the city's."""
    text, kind = _key_parts(value)
    return " ".join(part for part in (text, kind) if part)


def agency_name_variants(value: str) -> tuple[str, ...]:
    """Keys the same agency may be stored under when it is named without its place's form of
    government: 'Voorhees Police Department' may be the 'Voorhees Township Police Department'
    (or a town, village, borough or city of that name), 'Chesapeake City Police Department' the
    'Chesapeake Police Department'. Never the other way: 'Town of Newburgh Police' is not the
    City of Newburgh's. The matcher asks these only when the key itself finds nothing, and takes
    one only when it is the only agency they find whose counties agree."""
    text, kind = _key_parts(value)
    if not text or not kind:
        return ()
    words = text.split()
    found: list[str] = []
    if kind == "public safety":
        # A city's department of public safety is its police ('Alpharetta Department of
        # Public Safety' is the 'Alpharetta Police Department').
        found.append(f"{text} police")
    if kind == "sheriff" and "county" not in words:
        # 'San Francisco Sheriff's Office': the sheriff of San Francisco County.
        found.append(f"{text} county sheriff")
    if kind == "police" and words[-1] == "city" and len(words) > 1:
        found.append(" ".join([*words[:-1], kind]))
    elif (
        kind == "police" and words[-1] not in (*_PLACE_WORDS, "county") and not _CAMPUS.search(text)
    ):
        found += [f"{text} {word} {kind}" for word in _PLACE_WORDS]
    return tuple(found)


@memo(maxsize=32_768)
def _key_parts(value: str) -> tuple[str, str]:
    """(the name without its kind, the kind: 'police', 'sheriff', 'public safety' or '')."""
    head, colon, campus = (value or "").partition(":")
    if colon and campus.strip() and _CAMPUS.search(head):
        value = head
    # 'Newtown Township Police Department, Bucks County', 'Mansfield Township, Burlington
    # County Police Department': the FBI's way of telling apart two places of one name; the
    # county is the matcher's to compare, not the name's.
    value = _COUNTY_QUALIFIER.sub(" ", value)
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
    text = _KEY_PHRASES.get(text, text)
    if not kind and _CAMPUS.search(text):
        # A college's or university's agency is its police.
        kind = "police"
    return text, kind
