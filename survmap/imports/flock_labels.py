"""Flock Safety's labels for organisations ("Avon IN PD", "Dare County NC SO", "Greenbrier TN PD
(duplicate)", "Westport Regional Business League (MO)") read as a name, a state and a kind.

Flock's labels are typed by its staff and clients: the state code comes before or after the
kind, in brackets or after a dash ("CO - Montrose PD", "Brunswick County SO - NC"), "CO" is
Colorado or "County" ("Wagoner CO SO OK"), and notes ride along ("(duplicate)", "(Inactive)",
" 2"). The parser reads no records: it says what the label names, and whether it names a
law-enforcement agency worth asking the directory about or an organisation that is not police
(a business, a homeowners' association, a railway, a federal agency, Flock's own demo
accounts), which is kept as what it is. A label it cannot read gives a `problem` for a
moderator, never a guess.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from functools import cache

from survmap.common.memo import memo
from survmap.common.text import clean_text_value
from survmap.geo import census

# Longer than any real label (the longest in the file has 80 characters); a longer one is
# read no further.
MAX_LABEL = 200


class OrgKind:
    """What a label names, when it is not an agency to match (platereaders.OrganisationKind)."""

    LAW_ENFORCEMENT = "law_enforcement"
    GOVERNMENT = "government"
    FEDERAL = "federal"
    BUSINESS = "business"
    HOA = "hoa"
    RAILWAY = "railway"
    VENDOR = "vendor"
    OTHER = "other"


# The agency kinds of records.AgencyKind, by value (imports read no models).
POLICE, SHERIFF, STATE_POLICE, FEDERAL, UNIVERSITY, SCHOOL, OTHER = (
    "police",
    "sheriff",
    "state_police",
    "federal",
    "university",
    "school",
    "other",
)


@dataclass(frozen=True)
class ParsedLabel:
    """`name` is the agency's name written out ("Avon Police Department"), `state` a USPS code
    or "" when the label gives none, `kind` an agency kind; `organisation` is "" for a label
    to match against the directory, else what kind of organisation it is (`OrgKind`)."""

    label: str
    name: str
    state: str
    kind: str
    organisation: str = ""
    # Words the label adds that are not the name: "duplicate", "inactive", "numbered" ...
    flags: tuple[str, ...] = ()
    # A county or place the label names in brackets ("Springfield Township OH (Hamilton Co) PD").
    county: str = ""
    problem: str = ""
    notes: tuple[str, ...] = field(default=(), compare=False)

    @property
    def matchable(self) -> bool:
        """Whether the directory should be asked: a law-enforcement agency in a known state."""
        return not self.organisation and bool(self.state) and not self.problem


@cache
def _states() -> tuple[dict[str, str], dict[str, str]]:
    codes = {state.code: state.name for state in census.states()}
    names = {name.casefold(): code for code, name in codes.items()}
    return codes, names


def state_codes() -> set[str]:
    return set(_states()[0])


_FLAG_WORDS = (
    (re.compile(r"\bduplicate\b|\bdo not use\b|\bdon'?t use\b", re.I), "duplicate"),
    # "DNU- Walker County AL SO": Flock's "do not use" before a name (a label of "DNU" alone
    # names nothing and is left as it is).
    (re.compile(r"^DNU\b(?=\W*\w)"), "duplicate"),
    (re.compile(r"\binactive\b|\bnot in use\b|\bchurned\b", re.I), "inactive"),
    (re.compile(r"\brevoked\b", re.I), "revoked"),
    (re.compile(r"\bformer\b|\b-\s*old\b", re.I), "former"),
    (re.compile(r"\berror\b", re.I), "error"),
    # "Harrah OK PD - original": the first of two accounts.
    (re.compile(r"-\s*original$", re.I), "original"),
)
_BRACKETS = re.compile(r"\(([^()]*)\)")
# "Hermitage PA PD 2" (a second account), not "Harris County Const Pct 5" (a precinct).
_TRAILING_NUMBER = re.compile(
    r"(?<!\bPct)(?<!\bPrecinct)(?<!\bRegion)(?<!\bDistrict)(?<!\bUnit)(?<!\bZone)\s+\d{1,2}$", re.I
)
_PREFIX_STATE = re.compile(r"^([A-Z]{2})\s*-\s*")
_SUFFIX_STATE = re.compile(r"\s*-\s*([A-Z]{2})$")
_LEADING_PLACE = re.compile(r"^(?:city|town|village|borough|township) of\s+", re.I)

_VENDOR = re.compile(
    # Flock's own accounts; not "Little Flock AR PD", a town's police.
    r"(?<!\blittle )\bflock\b"
    r"|\bdemo\b|\btest(ing)?\b|\btraining\b|\bexample\b|\bwalkthrough\b|\bsandbox\b"
    r"|\baxon\b|\bubicquia\b|\bapplied intel\b|\bsales\b",
    re.I,
)
_RAILWAY = re.compile(
    r"(?i:\brail(road|way)s?\b|\bunion pacific\b|\bnorfolk southern\b|\bamtrak\b"
    r"|\bcanadian (national|pacific)\b)|\bRR\b|\bBNSF\b|\bCSX\b|\bCN\b",
)
_HOA = re.compile(
    r"\bHOA\b|\bPOA\b|home\s?owners?|property owners|community association|civic association"
    r"|neighbou?rhood association|\bestates association\b",
    re.I,
)
_BUSINESS = re.compile(
    r"\binc\b\.?|\bllc\b|\bcorp(oration)?\b|\bcompany\b|\bproperties\b|\bmall\b|\bshopping\b"
    r"|\bbusiness\b|\bchamber of commerce\b|\bhotel\b|\bcasino\b|\bapartments\b|\brealty\b"
    r"|\bwalmart\b|\blowe'?s\b|\bhome depot\b|\bsecurity$|\bretail\b|\bbank\b",
    re.I,
)
_FEDERAL = re.compile(
    r"^US\b|^U\.S\.|\bUnited States\b|\bfederal\b|\bFBI\b|\bATF\b|\bDEA\b|\bUSMS\b|\bHSI\b"
    r"|\bCBP\b|\bN\.R\.A\.|\bIRS\b|\bNCIS\b|\bTSA\b|\bUS Army\b|\bUSAF\b"
    r"|(?i:homeland security investigations|border patrol|postal inspection|secret service"
    r"|marshals? service|national park service|veterans affairs"
    r"|bureau of (alcohol|prisons|land management|indian affairs))",
)
_SHERIFF = re.compile(r"\bSO\b|\bSD\b|sheriff", re.I)
_STATE_POLICE = re.compile(
    r"state police|highway patrol|state patrol|law enforcement division|law enforcement agency"
    r"|state bureau of investigation|\bSLED\b|\bALEA\b",
    re.I,
)
_UNIVERSITY = re.compile(r"universit|college|campus", re.I)
_SCHOOL = re.compile(r"\bISD\b|\bschools?\b|school district|\bUSD\b", re.I)
_POLICE = re.compile(
    r"\bPD\b|police|\bDPS\b|public safety|marshal'?s? office|\bconstable|\brangers?\b"
    r"|\bmarshal\b",
    re.I,
)
_GOVERNMENT = re.compile(
    r"\bDA'?s?\b|district attorney|prosecut|attorney general|state'?s? attorney|dispatch|disptach"
    r"|communications? c(en)?t(e)?r|\b911\b|\bE911\b|\bRECC\b|\bfire\b|task\s?force|strike\s?force"
    r"|\bTF\b|\bDTF\b"
    r"|\bHIDTA\b|\bcity of\b|\btown of\b|\bvillage of\b|\bcounty of\b|housing authority"
    r"|department|division|office|bureau|commission|board|district|authority|agency|center"
    r"|\bCAC\b|\bROCIC\b|\bMOCIC\b|\bRISS\b|fusion|crime (center|lab)|\bDNR\b|conservation"
    r"|wildlife|fisheries|\bABC\b",
    re.I,
)
# A state university system's short name, where the FBI writes it out ("UC Irvine Campus PD CA"
# is its "University of California: Irvine", "SUNY Binghamton" its "State University of New
# York: Binghamton"): (the short name opening the label, the system, its state).
_SYSTEMS = (
    (re.compile(r"^UC\b"), "University of California", "CA"),
    (re.compile(r"^(?:CSU|Cal State)\b"), "California State University", "CA"),
    (re.compile(r"^SUNY\b"), "State University of New York", "NY"),
)
_KIND_WORDS = {"PD": "Police Department", "SO": "Sheriff's Office", "SD": "Sheriff's Department"}
_COUNTY_LIKE = re.compile(r"\b(county|parish|city|borough|metro|consolidated)\b", re.I)
_COUNTY_WORD = re.compile(r"\b(?:Co|CO|Cnty)\b\.?(?=\s+(?:SO|SD|PD|Sheriff|Sheriff's)\b)")
# "Kentucky State Police KY PD", "Clark-Pleasant Police Department - IN PD": the kind is
# already in the name.
_NAMED_KIND = re.compile(r"\b(?:police|police department|sheriff's office|public safety)$", re.I)


def _clean(label: str) -> str:
    return " ".join(clean_text_value(label, multiline=False).split())


@memo(maxsize=16_384)
def parse_label(label: str) -> ParsedLabel:
    """What a Flock label names. Never raises: what it cannot read is its `problem`."""
    text = _clean(label)
    if not text:
        return ParsedLabel(label="", name="", state="", kind="", problem="empty label")
    if len(text) > MAX_LABEL:
        return ParsedLabel(
            label=text[:MAX_LABEL],
            name="",
            state="",
            kind="",
            problem=f"label of {len(text):,} characters, longer than any organisation's name",
        )
    codes, names = _states()
    flags: list[str] = []
    notes: list[str] = []
    for pattern, flag in _FLAG_WORDS:
        if pattern.search(text):
            flags.append(flag)

    state = ""
    county = ""

    def bracket(match: re.Match[str]) -> str:
        nonlocal state, county
        inside = match.group(1).strip()
        if inside.upper() in codes and (inside.isupper() or len(inside) == 2):
            state = state or inside.upper()
            return " "
        if any(pattern.search(inside) for pattern, _ in _FLAG_WORDS):
            return " "
        county_match = re.fullmatch(r"(.+?)\s+(?:Co|County|Cnty)\.?", inside, re.I)
        if county_match:
            county = county_match.group(1)
            return " "
        notes.append(inside)
        return " "

    body = _BRACKETS.sub(bracket, text)
    body = re.sub(r"[()]", " ", body)
    for pattern, _ in _FLAG_WORDS:
        body = pattern.sub(" ", body)
    body = " ".join(body.split()).strip(" -,;:")
    # "Grant County AR SO1": a second account, its number written against the kind.
    body = re.sub(r"\b(PD|SO)(\d{1,2})$", r"\1 \2", body)
    if _TRAILING_NUMBER.search(body):
        flags.append("numbered")
        body = _TRAILING_NUMBER.sub("", body)
    prefix = _PREFIX_STATE.match(body)
    if prefix and prefix.group(1) in codes:
        state = state or prefix.group(1)
        body = body[prefix.end() :]
    suffix = _SUFFIX_STATE.search(body)
    if suffix and suffix.group(1) in codes:
        state = state or suffix.group(1)
        body = body[: suffix.start()]

    words = body.split()
    # State codes among the words: the last one, except that "CO" beside another is "County".
    positions = [
        i
        for i, word in enumerate(words)
        if word in codes
        and (word not in _KIND_WORDS or i < len(words) - 1)
        and (i > 0 or len(words) > 1)
    ]
    if positions:
        chosen = [i for i in positions if words[i] != "CO"] if len(positions) > 1 else positions
        at = chosen[-1] if chosen else positions[-1]
        if not state:
            state = words[at]
        if words[at] == state:
            # "NC State Highway Patrol": a state that opens the name is part of it, and so is
            # one after "of" ("Univ. of TX - Arlington PD", "New College of FL PD").
            said = at == 0 or words[at - 1].casefold() == "of"
            words = words[:at] + ([codes[state]] if said else []) + words[at + 1 :]
    body = " ".join(words)
    if not state:
        state = _state_by_name(body, names)
    body = _COUNTY_WORD.sub("County", body)
    for pattern, system, where in _SYSTEMS:
        if state == where:
            body = pattern.sub(system, body)

    name = _written_out(body, state)
    kind = _kind(name)
    organisation = _organisation(text, name, kind)
    if organisation == OrgKind.FEDERAL:
        kind = FEDERAL
    if len(re.sub(r"\W", "", name)) < 2 or name.upper() in codes:
        return ParsedLabel(
            label=text, name="", state=state, kind="", problem="no name left once read"
        )
    problem = ""
    if not state and not organisation:
        problem = "no state in the label"
    return ParsedLabel(
        label=text,
        name=name,
        state=state,
        kind=kind,
        organisation=organisation,
        flags=tuple(flags),
        county=county,
        problem=problem,
        notes=tuple(notes),
    )


_NOT_STATE_AFTER = re.compile(
    r"\s+(county|co\b|parish|township|twp|city|beach|heights|springs|park|valley|rapids)", re.I
)


def _state_by_name(body: str, names: dict[str, str]) -> str:
    """A state written out ("Michigan State Police", "Attorney General of Illinois"), unless
    it is part of a place's name ("Washington County", "Virginia Beach")."""
    lowered = body.casefold()
    found = ""
    for name, code in sorted(names.items(), key=lambda item: -len(item[0])):
        for match in re.finditer(rf"\b{re.escape(name)}\b", lowered):
            after = body[match.end() :]
            before = lowered[: match.start()]
            if _NOT_STATE_AFTER.match(after) or before.endswith(("west ", "new ")):
                continue
            if name == "washington" and not after.lower().startswith(" state"):
                continue
            found = found or code
    return found


def _written_out(body: str, state: str = "") -> str:
    """The label's name with Flock's abbreviations written out, as a directory names it."""
    words = body.split()
    if words and words[-1] in _KIND_WORDS:
        place = " ".join(words[:-1])
        place = _LEADING_PLACE.sub("", place).strip(" -,;:")
        if not place:
            return ""
        if words[-1] == "PD" and _NAMED_KIND.search(place):
            return place
        if words[-1] != "PD" and not _COUNTY_LIKE.search(place):
            # A sheriff is a county's ("Iroquois IL SO"), a parish's in Louisiana.
            place = f"{place} {'Parish' if state == 'LA' else 'County'}"
        return f"{place} {_KIND_WORDS[words[-1]]}"
    # "Allegan County SO MI" reads "Allegan County SO" once the state is out; "Pasco PD - WA".
    body = re.sub(r"\bConst\b\.?", "Constable", body)
    body = re.sub(r"\bTwp\b\.?", "Township", body)
    # "San Luis Obispo County Sheriff": the office, as directories name it.
    body = re.sub(r"\b(County|Parish) Sheriff$", r"\1 Sheriff's Office", body)
    for short, long in _KIND_WORDS.items():
        body = re.sub(rf"\b{short}\b", long, body)
    return body.strip(" -,;:")


def _kind(name: str) -> str:
    if _STATE_POLICE.search(name):
        return STATE_POLICE
    if _SHERIFF.search(name):
        return SHERIFF
    if _UNIVERSITY.search(name):
        return UNIVERSITY
    if _SCHOOL.search(name):
        return SCHOOL
    if _POLICE.search(name):
        return POLICE
    return OTHER


def _organisation(text: str, name: str, kind: str) -> str:
    """ "" for an agency to look up in the directory, else what the organisation is."""
    if _VENDOR.search(text):
        return OrgKind.VENDOR
    if _FEDERAL.search(text):
        return OrgKind.FEDERAL
    if _RAILWAY.search(text):
        return OrgKind.RAILWAY
    if _HOA.search(text):
        return OrgKind.HOA
    if kind in (POLICE, SHERIFF, STATE_POLICE, UNIVERSITY, SCHOOL):
        return ""
    if _BUSINESS.search(text):
        return OrgKind.BUSINESS
    if _GOVERNMENT.search(name):
        # A prosecutor, a dispatch centre, a task force: in the directory or not, it is asked.
        return ""
    return OrgKind.OTHER


def parse_portal_label(label: str, url: str) -> ParsedLabel:
    """A portal's owner: its label, helped by the portal's address where the label lacks the
    state or was retired ("Yuba County Sheriffs Office" at .../yuba-county-ca-so, "DNU" at
    .../saratoga-ca-pd): Flock builds the address from the agency's place, state and kind."""
    parsed = parse_label(label)
    if parsed.matchable or parsed.organisation in (OrgKind.VENDOR, OrgKind.FEDERAL):
        return parsed
    slug = url.rstrip("/").rsplit("/", 1)[-1]
    codes = state_codes()
    words = [
        word.upper() if word.upper() in codes | {"PD", "SO"} else word.capitalize()
        for word in slug.split("-")
        if word
    ]
    from_address = parse_label(" ".join(words))
    if not from_address.state:
        return parsed
    if parsed.name and not parsed.problem and not parsed.organisation:
        # The label's own name, in the state its address gives.
        return ParsedLabel(
            label=parsed.label,
            name=parsed.name,
            state=from_address.state,
            kind=parsed.kind,
            flags=parsed.flags,
            county=parsed.county,
            notes=(*parsed.notes, f"state from the portal's address {slug}"),
        )
    if from_address.matchable:
        return ParsedLabel(
            label=parsed.label or from_address.label,
            name=from_address.name,
            state=from_address.state,
            kind=from_address.kind,
            flags=parsed.flags,
            notes=(f"read from the portal's address {slug}: the label says {parsed.label!r}",),
        )
    return parsed


@dataclass(frozen=True)
class Reading:
    """Another way the directory may write the agency a label names, asked only when the
    label's own name finds nothing; `rule` says which (the resolver checks each its own way)."""

    rule: str
    name: str


# "Beacon City NY PD", "Bellevue Borough PA PD", "Kenilworth Village IL PD": the FBI writes a
# city's, a borough's (and outside New York a village's) police under the place's bare name.
# Not a township's or a town's: 'Jackson Township' is not the 'Jackson Police Department'.
_PLACE_FORM = re.compile(r"^(?P<place>.+?) (?:City|Borough|Boro|Village) Police Department$")
# "Fulshear TX PD" (the FBI's "Fulshear"), "Decatur Park District IL PD", "Marian University
# Campus IN PD": the directory names some agencies without a kind.
_UNSUFFIXED = re.compile(r"^(?P<place>.+?)(?: Campus)? Police Department$")
_NOT_UNSUFFIXED = re.compile(
    r"\b(?:sheriff'?s?|constable|police|public safety|ISD|CISD)\b"
    r"|\b(?:county|parish|city|town|township|twp|village|borough|boro)$"
    r"|\bstate\b(?! university| college)|^(?:city|town|village|township|borough) of\b",
    re.I,
)
# "Aldine ISD PD TX", "Spring Branch TX ISD PD": the FBI's "Independent School District: Aldine".
_ISD = re.compile(r"^(?P<district>[A-Z][\w.' -]*?) ISD Police Department$")
# "Bergen County NJ Prosecutors Office": New Jersey's "Prosecutor: Bergen County".
_NJ_PROSECUTOR = re.compile(r"^(?P<county>[\w.' -]+? County) Prosecutor'?s? Office$", re.I)
# A university's police named with its campus ("University of Wisconsin - Green Bay WI PD",
# "University of Texas at Dallas TX PD", "Univ. of Texas - Tyler PD"): the FBI's "University
# of Wisconsin: Green Bay".
_CAMPUS_KIND = re.compile(
    r"(?: Campus)?(?: Police Department| Police| PD| Public Safety)?(?: Campus)?$", re.I
)


def campus_words(name: str) -> str:
    """A university agency's name as the words that tell its campus: 'University of Texas at
    Dallas Police Department' and the FBI's 'University of Texas: Dallas' are both 'university
    of texas dallas'; '' for a name that is no university's."""
    text = re.sub(r"\bUniv\.?(?=\s)", "University", name)
    if not re.search(r"\bUniversity\b", text, re.I):
        return ""
    text = _CAMPUS_KIND.sub("", text.replace(":", " "))
    words = re.findall(r"[a-z0-9&]+", text.casefold())
    return " ".join(word for word in words if word not in ("at", "campus"))


# Flock's abbreviations and ways of writing that the directory writes out: (pattern, written).
_WRITTEN_OUT = (
    (re.compile(r"\bIntl\b\.?"), "International"),
    (re.compile(r"\bCmnty\b\.?"), "Community"),
    # "Harris County Const TX Pct 5": the "Harris County Constable Precinct 5".
    (re.compile(r"\bPct\b\.?"), "Precinct"),
    # "Cleveland OH Division of Police": the "Cleveland Police Department".
    (re.compile(r"^(?P<place>.+) Division of Police$"), r"\g<place> Police Department"),
    # "Benton Charter Township Police MI": Michigan's charter townships are townships, which
    # the FBI lists as "Benton Township Police Department".
    (re.compile(r"\bCharter Township\b"), "Township"),
    # "Livingston Parish County LA SO": Livingston Parish's sheriff.
    (re.compile(r"\bParish County\b"), "Parish"),
    # "18th Judicial District Drug Task Force - TN PD": Tennessee's "Drug Task Force: 18th
    # Judicial District".
    (
        re.compile(
            r"^(?P<district>\d+(?:st|nd|rd|th) Judicial District) Drug Task Force"
            r"(?: Police Department)?$"
        ),
        r"Drug Task Force: \g<district>",
    ),
)
# "Polk County FL SO - Flex", "NC - Rowan County SO - Insight Omnia", "Forsyth County GA SO -
# Mobile": another account of the agency, named after a Flock product.
_PRODUCT_ACCOUNT = re.compile(
    r"^(?P<agency>.+? (?:Police Department|Sheriff's Office|University|College)) - "
    r"(?:Flex|Mobile|Insight|Omnia|Raven|Falcon|Sparrow|Nova)(?: (?:Flex|Mobile|Insight|Omnia))?$",
    re.I,
)
# "Indianapolis Metro PD IN", "St. Louis Metro MO PD": a city's metropolitan police, which the
# FBI lists as the city's "Indianapolis Police Department" (taken only when the state has
# exactly one agency of that name and none of the label's own).
_METRO = re.compile(r"^(?P<place>.+?) Metro(?:politan)? Police Department$")
# "Lake MetroParks OH Rangers": a park district's rangers, the FBI's "Lake Metroparks".
_RANGERS = re.compile(r"^(?P<park>.+?(?:parks?|park district|metroparks)) Rangers$", re.I)
# "Metro Police Authority of Genesee County MI": the FBI's "Metro Police Authority Genesee
# County", the very same words but "of" (compared whole).
_AUTHORITY_OF = re.compile(r"^(?P<body>\S.*\S) of (?P<county>\S.* County)$")
# "Otoe Missouria Tribe OK PD": the FBI's "Otoe-Missouria Tribal".
_TRIBAL = re.compile(r"^(?P<tribe>.+?) (?:Tribe|Tribal|Nation)(?: Tribal)? Police Department$")


def written_out(parsed: ParsedLabel) -> str:
    """The label's name with Flock's abbreviations written out, and the state's name taken from
    a place it follows ("Hartland Wisconsin WI PD"); the name itself when nothing changes."""
    name = parsed.name
    for pattern, written in _WRITTEN_OUT:
        name = pattern.sub(written, name)
    state_name = _states()[0].get(parsed.state, "")
    said_twice = re.fullmatch(
        rf"(?P<place>\S.*?) {re.escape(state_name)} (?P<kind>Police Department|Sheriff's Office)",
        name,
    )
    if (
        state_name
        and said_twice
        # A place's name, not a university's ("University of Minnesota MN PD") nor one that
        # ends in the state's name ("West Virginia").
        and not re.search(
            r"\b(?:of|university|college|state|west|new|north|south)$", said_twice["place"], re.I
        )
        and not re.search(r"\b(?:university|college)\b", said_twice["place"], re.I)
    ):
        name = f"{said_twice['place']} {said_twice['kind']}"
    return name


def campuses_named(parsed: ParsedLabel) -> set[str]:
    """The campus words (`campus_words`) a label may mean: its name's, and its name's with the
    campus it gives in brackets ("University of Minnesota MN PD (Twin Cities)")."""
    named = campus_words(parsed.name)
    if not named:
        return set()
    return {named} | {
        " ".join([named, *re.findall(r"[a-z0-9&]+", note.casefold())]) for note in parsed.notes
    }


def directory_readings(parsed: ParsedLabel) -> tuple[Reading, ...]:
    """The other ways the directory may write a matchable label's agency (none for another)."""
    if not parsed.matchable:
        return ()
    found: list[Reading] = []
    name = written_out(parsed)
    if name != parsed.name:
        found.append(Reading("written_out", name))
    account = _PRODUCT_ACCOUNT.match(name)
    if account:
        found.append(Reading("written_out", account["agency"]))
    if re.search(r"\bConstable Precinct \d+$", name):
        # "Montgomery County Constable Precinct 4 (TX)": the "Montgomery County Constables
        # Precinct 4" of another source; the precinct's number is the agency.
        found.append(
            Reading("written_out", name.replace("Constable Precinct", "Constables Precinct"))
        )
    state_name = _states()[0].get(parsed.state, "")
    if (
        state_name
        and name.startswith(state_name + " ")
        and parsed.kind != UNIVERSITY
        and not name.endswith(("Police Department", "Sheriff's Office"))
    ):
        # "Georgia Bureau of Investigation", "Rhode Island State Police": a state's agency,
        # which the FBI lists under its headquarters.
        found += [Reading("written_out", f"{name}{joint} Headquarters") for joint in ("", ":", ",")]
    tribal = _TRIBAL.match(name)
    if tribal:
        found.append(Reading("tribal", f"{tribal['tribe']} Tribal"))
    place = _PLACE_FORM.match(name)
    if place and not re.search(r"\b(?:county|parish)\b", place["place"], re.I):
        found.append(Reading("place_form", f"{place['place']} Police Department"))
    bare = _UNSUFFIXED.match(name)
    if (
        bare
        and not _NOT_UNSUFFIXED.search(bare["place"])
        and bare["place"].casefold() != _states()[0].get(parsed.state, "").casefold()
    ):
        found.append(Reading("unsuffixed", bare["place"]))
    school = _ISD.match(name)
    if school and parsed.state == "TX":
        found.append(
            Reading("school_district", f"Independent School District: {school['district']}")
        )
    prosecutor = _NJ_PROSECUTOR.match(name)
    if prosecutor and parsed.state == "NJ":
        found.append(Reading("prosecutor", f"Prosecutor: {prosecutor['county']}"))
    campus = campus_words(parsed.name)
    words = campus.split()
    if campus.startswith("university of "):
        # The university's name is some of the words: each, longest last, for the resolver to
        # ask about; it takes an agency only when its campus words are the label's.
        found += [Reading("campus", " ".join(words[:end])) for end in range(3, len(words) + 1)]
    elif "university" in words[1:-1]:
        # "California State University Long Beach", "State University of New York Binghamton":
        # the FBI's "California State University: Long Beach", the same way.
        start = words.index("university") + 1
        start += 2 if words[start] == "of" else 0
        found += [Reading("campus", " ".join(words[:end])) for end in range(start, len(words) + 1)]
    metro = _METRO.match(name)
    if metro and not re.search(r"\b(?:county|parish)\b", metro["place"], re.I):
        found.append(Reading("metro", f"{metro['place']} Police Department"))
    rangers = _RANGERS.match(name)
    if rangers:
        found.append(Reading("unsuffixed", rangers["park"]))
    authority = _AUTHORITY_OF.match(name)
    if authority and parsed.kind == POLICE and not campus:
        found.append(Reading("without_of", f"{authority['body']} {authority['county']}"))
    return tuple(found)
