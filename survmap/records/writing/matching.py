"""Which record a plan means: the one place that decides which agency, source, partnership,
technology or vendor a writer's plan is about. The per-row writer asks these functions of the
database; the bulk writer asks the same functions of what it preloaded for a batch (an
`AgencyIndex`); approvals, the admin and the importers of other sources ask them too.

Agencies (`agency_match`): the ORI first; then the name as people write it (`agency_name_key`)
within the state, narrowed by kind, city and county; then the agency's other known names
(`AgencyAlias`). Precision before recall: a name that could be several agencies is never
guessed, the caller gets the candidates and leaves the row for a moderator. A wrong merge is
worse than a duplicate.

Partnerships (`partnership_among`): a row is the partnership that says the same thing (agency,
technology, vendor where given). A row number (the Atlas's AOSNUMBER) confirms that and never
overrides it: sources renumber their rows between exports.
"""

from __future__ import annotations

import re
from collections import defaultdict
from collections.abc import Hashable, Iterable, Sequence
from dataclasses import dataclass
from functools import cache

from django.db.models import Q
from django.utils.text import slugify
from rapidfuzz.distance import OSA

from survmap.common.dates import PartialDate
from survmap.geo import census
from survmap.records.models import (
    Agency,
    AgencyAlias,
    Partnership,
    Source,
    Technology,
    Vendor,
    VendorAlias,
    vendor_name_key,
)
from survmap.records.normalize import agency_name_key, agency_name_variants, normalize_name
from survmap.records.plans import (
    AgencyPlan,
    Match,
    PartnershipPlan,
    SourcePlan,
    Writer,
    WriterKind,
    given,
)

__all__ = [
    "AgencyIndex",
    "AgencyMatch",
    "AgencyQuery",
    "AgencyUnmatched",
    "agency_match",
    "agency_name_equivalents",
    "agency_name_key",
    "alias_wanted",
    "ori_of",
]

AgencyKey = tuple[str, str]
# What a moment's writing compares with what the database holds: the fields a batch reads.
_STAMPS = ("created_at", "updated_at")


# Agencies.

_ORI = re.compile(r"[A-Z]{2}[A-Z0-9]{5}(?:[A-Z0-9]{2})?")


def ori_of(text: str) -> str:
    """The ORI a cell gives, upper case: 'MI5086000', or the first nine characters of the
    Atlas's current `NEWAOSNUMBER (ORI9)` ('MI5086000BWC'); '' for none, for a placeholder
    ('XX...': the Atlas's code for an agency without an ORI) and for a row number ('AOS000025',
    which that column also holds)."""
    text = "".join((text or "").split()).upper()
    if not text or text.startswith(("XX", "AOS")):
        return ""
    if _ORI.fullmatch(text):
        return text
    if len(text) > 9 and _ORI.fullmatch(text[:9]):
        return text[:9]
    return ""


def _same_ori(stored: str, given_ori: str) -> bool:
    """An ORI9 is its agency's ORI7 and two more characters."""
    stored = stored.upper()
    if len(stored) == len(given_ori):
        return stored == given_ori
    return stored[:7] == given_ori[:7]


@dataclass(frozen=True)
class AgencyMatch:
    """What `agency_match` found: the one agency when it is sure (`rule` says how: "ori",
    "name", "alias"); else, when the name could be several (or the name says one agency and
    the ORI another), the `candidates` and "ambiguous"; else nothing and "none"."""

    agency: Agency | None
    candidates: tuple[Agency, ...] = ()
    rule: str = "none"

    def describe(self) -> str:
        """The candidates, for an import note: 'Springfield Police Department (IL, ORI ...,
        id 12); ...'."""
        return "; ".join(
            f"{agency.name} ({agency.state_id}"
            + (f", {agency.city}" if agency.city else "")
            + (f", ORI {agency.ori}" if agency.ori else "")
            + (f", id {agency.pk}" if agency.pk else "")
            + ")"
            for agency in self.candidates
        )


class AgencyUnmatched(ValueError):
    """A plan's agency the write path will not decide: ambiguous (the candidates are listed),
    or not found for a plan that may only match (`AgencyPlan.match_only`). The row is left for
    a moderator with an import note; nothing is written for it."""

    def __init__(self, message: str, match: AgencyMatch) -> None:
        super().__init__(message)
        self.match = match


@dataclass(frozen=True)
class AgencyQuery:
    """What a row asks about an agency, for `AgencyIndex.load`."""

    name: str
    state: str
    ori: str = ""


class AgencyIndex:
    """What `agency_match` reads, loaded once for many questions (a batch of rows): the agencies
    with the names, known names and ORIs asked about, and their counties. Agencies a batch is
    about to create are added (`add`), so the rows after find them as they would find them
    written."""

    def __init__(self) -> None:
        self._named: dict[AgencyKey, list[Agency]] = defaultdict(list)
        self._aliased: dict[AgencyKey, list[Agency]] = defaultdict(list)
        self._by_ori: dict[str, list[Agency]] = defaultdict(list)
        self._counties: dict[int, set[str]] = {}
        self._pending_counties: dict[int, set[str]] = {}  # id() of an unsaved agency
        self._alias_keys: dict[int, set[str]] = {}  # the known names' keys of each agency
        self._keys: set[AgencyKey] = set()
        self._oris: set[str] = set()
        self._county_pools: dict[str, list[Agency]] = {}  # county: its directory agencies

    def load(self, queries: Iterable[AgencyQuery], *, again: bool = False) -> list[Agency]:
        """Load what these queries need and the index does not hold yet (`again`: load it anew,
        after someone else wrote). Returns the agencies loaded."""
        keys: set[AgencyKey] = set()
        oris: set[str] = set()
        for query in queries:
            wanted = agency_name_key(query.name)
            if wanted and query.state:
                keys.add((wanted, query.state))
                keys.update((variant, query.state) for variant in agency_name_variants(query.name))
                keys.update(
                    (same, query.state) for same in agency_name_equivalents(wanted, query.state)
                )
            ori = ori_of(query.ori)
            if ori:
                oris.add(ori[:7])
        if not again:
            keys -= self._keys
            oris -= self._oris
        else:
            self._county_pools.clear()  # someone else wrote: the counties' agencies anew
        if not keys and not oris:
            return []
        for key in keys:
            self._named.pop(key, None)
            self._aliased.pop(key, None)
        for ori in oris:
            self._by_ori.pop(ori, None)
        found: dict[int, Agency] = {}
        where = Q()
        if keys:
            where |= Q(name_key__in={key for key, _ in keys}, state_id__in={s for _, s in keys})
        for ori in oris:
            where |= Q(ori__startswith=ori)
        for agency in Agency.objects.filter(where).defer(*_STAMPS).order_by("pk"):
            found[agency.pk] = agency
        aliases = []
        if keys:
            aliases = list(
                AgencyAlias.objects.filter(
                    name_key__in={key for key, _ in keys},
                    agency__state_id__in={s for _, s in keys},
                ).values_list("name_key", "agency_id")
            )
            missing = {pk for _, pk in aliases} - found.keys()
            for agency in Agency.objects.filter(pk__in=missing).defer(*_STAMPS):
                found[agency.pk] = agency
        for agency in found.values():
            key = (agency.name_key, agency.state_id)
            if key in keys:
                self._named[key].append(agency)
            if agency.ori and agency.ori[:7] in oris:
                self._by_ori[agency.ori[:7]].append(agency)
        for alias_key, agency_id in aliases:
            agency = found[agency_id]
            aliased = (alias_key, agency.state_id)
            if aliased in keys and agency not in self._aliased[aliased]:
                self._aliased[aliased].append(agency)
        counties: dict[int, set[str]] = {pk: set() for pk in found}
        for agency_id, county_id in Agency.counties.through.objects.filter(
            agency_id__in=list(found)
        ).values_list("agency_id", "county_id"):
            counties[agency_id].add(county_id)
        self._counties.update(counties)
        known: dict[int, set[str]] = {pk: set() for pk in found}
        for agency_id, alias_key in AgencyAlias.objects.filter(
            agency_id__in=list(found)
        ).values_list("agency_id", "name_key"):
            known[agency_id].add(alias_key)
        self._alias_keys.update(known)
        self._keys |= keys
        self._oris |= oris
        return list(found.values())

    def add(self, agency: Agency, counties: Iterable[str] = ()) -> None:
        """An agency about to be written (or just written by someone else): found from now on."""
        key = (agency.name_key or agency_name_key(agency.name), agency.state_id)
        self._named[key].append(agency)
        self._keys.add(key)
        if agency.ori:
            self._by_ori[agency.ori[:7]].append(agency)
        if agency.pk is None:
            self._pending_counties[id(agency)] = set(counties)
        else:
            self._counties[agency.pk] = set(counties)

    def written(self, agency: Agency) -> None:
        """An agency added before it was written has been written."""
        self._counties[agency.pk] = self._pending_counties.pop(id(agency), set())

    def drop(self, dropped: Iterable[Agency]) -> None:
        """Forget agencies added and never written (a batch rolled back)."""
        gone = {id(agency) for agency in dropped}
        for table in (self._named, self._by_ori):
            for key, agencies in table.items():
                table[key] = [agency for agency in agencies if id(agency) not in gone]  # type: ignore[index]
        for number in gone:
            self._pending_counties.pop(number, None)

    def counties_of(self, agency: Agency) -> set[str]:
        if agency.pk is None:
            return self._pending_counties.get(id(agency), set())
        if agency.pk not in self._counties:
            self._counties[agency.pk] = set(
                agency.counties.through.objects.filter(agency_id=agency.pk).values_list(
                    "county_id", flat=True
                )
            )
        return self._counties[agency.pk]

    def alias_keys(self, agency: Agency) -> set[str]:
        """The keys of the names a stored agency is also known by."""
        if agency.pk not in self._alias_keys:
            self._alias_keys[agency.pk] = set(
                AgencyAlias.objects.filter(agency_id=agency.pk).values_list("name_key", flat=True)
            )
        return self._alias_keys[agency.pk]

    def alias_added(self, agency: Agency, key: str) -> None:
        """A known name just written for a stored agency: found under it from now on."""
        self.alias_keys(agency).add(key)
        aliased = self._aliased[(key, agency.state_id)]
        if agency not in aliased:
            aliased.append(agency)

    def directory_in(self, state: str, counties: Iterable[str]) -> list[Agency]:
        """The agencies with an ORI (the directory's) that serve one of these counties of the
        state, for `_spelled`: loaded once per county."""
        wanted = set(counties)
        missing = wanted - self._county_pools.keys()
        if missing:
            pairs = list(
                Agency.counties.through.objects.filter(
                    county_id__in=missing, agency__state_id=state
                )
                .exclude(agency__ori="")
                .values_list("county_id", "agency_id")
            )
            loaded = Agency.objects.defer(*_STAMPS).in_bulk({pk for _, pk in pairs})
            for county in missing:
                self._county_pools[county] = []
            for county, pk in pairs:
                self._county_pools[county].append(loaded[pk])
        found: dict[int, Agency] = {}
        for county in sorted(wanted):
            for agency in self._county_pools[county]:
                found.setdefault(agency.pk, agency)
        return list(found.values())

    def named(self, key: str, state: str) -> list[Agency]:
        return list(self._named.get((key, state), ()))

    def aliased(self, key: str, state: str) -> list[Agency]:
        return list(self._aliased.get((key, state), ()))

    def by_ori(self, ori: str) -> list[Agency]:
        return [a for a in self._by_ori.get(ori[:7], ()) if _same_ori(a.ori, ori)]


def _narrowed(
    found: list[Agency],
    rule: str,
    *,
    city: str,
    counties: Sequence[str],
    kind: str,
    index: AgencyIndex,
) -> AgencyMatch:
    """One agency of several with the name: the one of the kind, city and counties given, each
    asked only where it tells them apart; else the candidates, for a person to choose."""
    if len(found) == 1:
        return AgencyMatch(found[0], (), rule)
    city_key = normalize_name(city)
    tests = (
        (bool(kind), lambda agency: agency.kind == kind),
        (bool(city_key), lambda agency: normalize_name(agency.city) == city_key),
        (bool(counties), lambda agency: bool(index.counties_of(agency) & set(counties))),
    )
    for asked, test in tests:
        if not asked:
            continue
        kept = [agency for agency in found if test(agency)]
        if kept:
            found = kept
        if len(found) == 1:
            return AgencyMatch(found[0], (), rule)
    return AgencyMatch(None, tuple(found), "ambiguous")


def agency_match(
    *,
    name: str,
    state: str,
    ori: str = "",
    city: str = "",
    counties: Sequence[str] = (),
    kind: str = "",
    index: AgencyIndex | None = None,
) -> AgencyMatch:
    """Which stored agency a source's agency is: by ORI; else by its name as people write it
    (`agency_name_key`) within `state`, narrowed by `kind`, `city` and `counties` (FIPS codes)
    when several have the name; else by the agencies' other known names (aliases). An agency
    with another ORI than the one given is another agency. Never a guess: see `AgencyMatch`.
    `index`: what a batch preloaded (`AgencyIndex.load`); without one, the database is asked."""
    if index is None:
        index = AgencyIndex()
        index.load([AgencyQuery(name, state, ori)])
    ori = ori_of(ori)
    key = agency_name_key(name)
    if ori:
        found = index.by_ori(ori)
        if len(found) > 1:
            found = [agency for agency in found if agency.name_key == key] or found
        if len(found) == 1:
            return AgencyMatch(found[0], (), "ori")
        if found:
            return AgencyMatch(None, tuple(found), "ambiguous")
    if not key or not state:
        return AgencyMatch(None)
    asked = {"city": city, "counties": counties, "kind": kind, "index": index}
    other = []  # the name's agencies that have another ORI than the one given
    for rule, agencies in (("name", index.named(key, state)), ("alias", index.aliased(key, state))):
        if ori:
            other += [a for a in agencies if a.ori and not _same_ori(a.ori, ori)]
            agencies = [a for a in agencies if a not in other]
        if agencies:
            return _narrowed(agencies, rule, **asked)  # type: ignore[arg-type]
    if other:
        # Another ORI is another agency. Under the very same name it cannot be stored beside
        # it (one name per state), so a person decides; under another way of writing the name
        # it is a new agency ('Highway Patrol (Ford County)' beside the Kansas posts).
        normalized = normalize_name(name)
        if any(agency.normalized_name == normalized for agency in other):
            return AgencyMatch(None, tuple(dict.fromkeys(other)), "ambiguous")
        return AgencyMatch(None)
    equivalent = _equivalent(key, state, ori=ori, **asked)  # type: ignore[arg-type]
    if equivalent.agency is not None or equivalent.candidates:
        return equivalent
    variant = _variant(name, state, ori=ori, counties=counties, index=index)
    if variant.agency is not None or variant.candidates or ori:
        return variant
    return _spelled(name, state, kind=kind, counties=counties, index=index)


# Words a state-wide agency's name starts with once the state's name is left out: the
# directory writes 'State Patrol' (Colorado), a source 'Colorado State Patrol'; the directory
# 'Arizona Department of Public Safety', a source 'Department of Public Safety' (AZ).
# ('Michigan State University' is no state-wide 'State University').
_CAMPUS_WORDS = {"university", "college"}
_STATEWIDE = ("state", "department", "capitol", "highway", "bureau", "division", "office", "public")


@cache
def _state_names() -> dict[str, str]:
    return {state.code: normalize_name(state.name) for state in census.states()}


def agency_name_equivalents(key: str, state: str) -> tuple[str, ...]:
    """Other keys (`agency_name_key`) of the very same agency, whatever its counties, tried when
    the key itself finds nothing: a city's department of public safety is its police ('Albion
    DPS', the 'Albion Police Department'); 'Metro' is 'Metropolitan' ('Indianapolis Metro
    PD'); a state-wide agency with or without the state's name. Unlike `agency_name_variants`
    (a place's form of government), none of these can be another agency of the state, so no
    county is needed to take one. Not here: 'X City' for 'X' (Atlantic City is not Atlantic),
    a sheriff with or without 'County' (Baltimore's city and county sheriffs are two)."""
    words = key.split()
    if not words:
        return ()
    found: list[str] = []
    if words[-1] == "dps" and len(words) > 1:
        # 'Albion DPS': the Department of Public Safety, as the directory writes it.
        key = " ".join([*words[:-1], "public", "safety"])
        words = key.split()
        found.append(key)
    if words[-2:] == ["public", "safety"] and len(words) > 2:
        found.append(" ".join([*words[:-2], "police"]))
    if "metro" in words:
        found += [
            " ".join("metropolitan" if word == "metro" else word for word in variant.split())
            for variant in (key, *found)
        ]
    state_name = _state_names().get(state, "")
    if state_name:
        for variant in (key, *found):
            if variant.startswith(state_name + " "):
                rest = variant[len(state_name) + 1 :]
                if rest.split()[0] in _STATEWIDE and not _CAMPUS_WORDS & set(rest.split()):
                    found.append(rest)
            elif words[0] in _STATEWIDE and not _CAMPUS_WORDS & set(words):
                found.append(f"{state_name} {variant}")
    return tuple(dict.fromkeys(found))


def _equivalent(
    key: str,
    state: str,
    *,
    ori: str,
    city: str,
    counties: Sequence[str],
    kind: str,
    index: AgencyIndex,
) -> AgencyMatch:
    """The agency stored under an equivalent key (`agency_name_equivalents`): taken when it is
    the only one (narrowed by kind, city and counties as for the name); several are a person's
    to choose; an agency with another ORI is another agency."""
    found: list[Agency] = []
    for same in agency_name_equivalents(key, state):
        for agency in index.named(same, state) + index.aliased(same, state):
            if ori and agency.ori and not _same_ori(agency.ori, ori):
                continue
            if agency not in found:
                found.append(agency)
    if not found:
        return AgencyMatch(None)
    match = _narrowed(found, "equivalent", city=city, counties=counties, kind=kind, index=index)
    return match


def _variant(
    name: str, state: str, *, ori: str, counties: Sequence[str], index: AgencyIndex
) -> AgencyMatch:
    """The agency stored under the name with its place's form of government ('Voorhees
    Township Police Department' for 'Voorhees Police Department'): taken only when the row
    names its counties and exactly one such agency of the state, without another ORI, serves
    one of them, and has an ORI: a directory's agency, beside which the directory lists the
    agency of the plain name if there is one. Several: a person decides. No county given, or no
    ORI: nothing is taken (two agencies of one file, 'Saginaw Police Department' and 'Saginaw
    Township Police Department', are two)."""
    found = [
        agency
        for variant in agency_name_variants(name)
        for agency in index.named(variant, state)
        # Only an agency with an ORI (the directory's, where the agency the source may mean
        # instead, 'Saginaw Police Department' beside the township's, would be listed too).
        if agency.ori and not (ori and not _same_ori(agency.ori, ori))
    ]
    if not found or not counties:
        return AgencyMatch(None)
    kept = [agency for agency in found if index.counties_of(agency) & set(counties)]
    if len(kept) == 1:
        return AgencyMatch(kept[0], (), "variant")
    if kept:
        return AgencyMatch(None, tuple(kept), "ambiguous")
    return AgencyMatch(None)


# How a source may misspell or pad an agency's name that the directory lists (`_spelled`).
# Words of an agency's kind, found also when misspelt by a letter ('Deparment', "Seriff's",
# 'Poilce', 'Saftey'); words no name depends on ('Florida A & M', 'University of Illinois at
# Chicago', 'Illinois Central College Campus Police'); the place's form of government at the end
# of its name (never 'city': Atlantic City is not Atlantic).
_KIND_SPELLINGS = ("department", "police", "sheriff's", "safety", "office")
_LOOSE_WORDS = {"at", "in", "the", "and", "of", "campus"}
_LOOSE_SPELLINGS = {"boro": "borough", "tribe": "tribal", "metro": "metropolitan"}
_GOVERNMENT_WORDS = ("borough", "village", "town", "township")
# A place's form of government that a source may add to a name the directory writes plain
# ('Borough of Lodi Police Department' for the 'Lodi Police Department'): a borough only. The
# directory writes a township out (the plain name beside it is another place: 'Rockaway'), and
# a town or a village may have police of its own beside the city's ('Town of Newburgh').
_ADDED_GOVERNMENT = {"borough"}


@dataclass(frozen=True)
class _Spelling:
    """A name as `_spelled` compares it: its words without the loose ones and without the
    form of government at its end (`government`), its kind ('police', 'sheriff', 'public
    safety', '' for none: 'Gun Lake Tribal'), and whether it is a campus's or a school's."""

    words: tuple[str, ...]
    government: frozenset[str]
    kind: str
    campus: bool
    school: bool

    @property
    def letters(self) -> str:
        return "".join(self.words)


def _kind_spelling(word: str) -> str:
    bare = word.casefold().strip(",.;")
    if len(bare) < 4 or bare in _KIND_SPELLINGS:
        return word
    for right in _KIND_SPELLINGS:
        if _distance(bare, right, 1) <= 1:
            return right
    return word


@cache
def _spelling(name: str, state: str, agency_kind: str) -> _Spelling:
    text = name.replace(":", " ")
    state_name = _state_names().get(state, "")
    qualifiers = [re.escape(state)] + ([r"\s+".join(state_name.split())] if state_name else [])
    # 'Middletown Police Department, DE', 'Kansas City, Kansas Police Department',
    # 'Texarkana-Arkansas Police Department': the state, not the agency's name.
    text = re.sub(rf"\s*[,-]\s*(?:{'|'.join(qualifiers)})\b\.?", " ", text, flags=re.IGNORECASE)
    text = " ".join(_kind_spelling(word) for word in text.split())
    # 'Gahanna Division of Police': the Gahanna Police Department.
    text = re.sub(r"\bdivision of police\b", "police department", text, flags=re.IGNORECASE)
    key = agency_name_key(text)
    kind = ""
    for ending in ("police", "sheriff", "public safety"):
        if key == ending or key.endswith(" " + ending):
            key, kind = key[: len(key) - len(ending)].strip(), ending
            # 'Las Vegas Metropolitan Police Department Police Department' (the directory).
            again = agency_name_key(key)
            if again.endswith(" " + ending):
                key = again[: len(again) - len(ending)].strip()
            break
    # A city's department of public safety is its police (as in `agency_name_equivalents`).
    kind = "police" if kind == "public safety" else kind
    words = [_LOOSE_SPELLINGS.get(word, word) for word in key.split()]
    campus = agency_kind == "university" or bool(_CAMPUS_WORDS & set(words))
    school = agency_kind == "school" or bool({"school", "schools", "isd"} & set(words))
    government: set[str] = set()
    while len(words) > 1 and words[-1] in (*_GOVERNMENT_WORDS, "and"):
        government.add(words.pop())
    government.discard("and")
    words = [word for word in words if word not in _LOOSE_WORDS]
    return _Spelling(tuple(words), frozenset(government), kind, campus, school)


# The FBI's names of a county's police in Hawaii and Westchester: 'Maui Police Department
# County Sheriff's Office' is the Maui (County) Police Department.
_COUNTY_POLICE = re.compile(r"^(.+) (Police Department|Public Safety) County Sheriff's Office$")
_KIND_PHRASES = {"police": "Police Department", "sheriff": "Sheriff's Office"}


@cache
def _listed_spellings(name: str, state: str, agency_kind: str) -> tuple[_Spelling, ...]:
    """A directory agency's name as `_spelled` compares it, and the names it stands for: each
    place of a joint department ('American Fork/Cedar Hills Police Department',
    "Hartsville/Trousdale County Sheriff's Office"), a county's police that the FBI writes with
    its sheriff's office."""
    names = [name]
    county_police = _COUNTY_POLICE.match(name)
    if county_police:
        place, kind = county_police.groups()
        names = [f"{place} {kind}", f"{place} County {kind}"]
    elif name.count("/") == 1:
        head, tail = name.split("/")
        tail_kind = _spelling(tail, state, agency_kind).kind
        names.append(tail)
        if tail_kind in _KIND_PHRASES:
            names.append(f"{head} {_KIND_PHRASES[tail_kind]}")
    return tuple(_spelling(each, state, agency_kind) for each in names)


def _distance(one: str, other: str, limit: int) -> int:
    """The edits (a letter added, dropped, changed, or two neighbours swapped: the optimal
    string alignment distance) from one to the other; anything above `limit` is `limit + 1`."""
    return OSA.distance(one, other, score_cutoff=limit)


def _spelled_alike(row: _Spelling, listed: _Spelling) -> bool:
    """Whether a source's name (`row`) is a directory agency's (`listed`) as `_spelled` reads
    it: the same kind of agency (a campus's, a school's or neither), the same form of
    government, or one the source added or left out (never two others: 'Town of Newburgh' is
    not the city's), and the same letters, or one edit away (two in a long name of as many
    words)."""
    if (row.campus, row.school) != (listed.campus, listed.school) or not row.words:
        return False
    if (
        row.government
        and row.government != listed.government
        and (listed.government or not row.government <= _ADDED_GOVERNMENT)
    ):
        return False
    one, other = row.letters, listed.letters
    if row.kind != listed.kind:
        # The directory names some agencies by their body alone ('Gun Lake Tribal', 'Tampa
        # International Airport', 'Atlanta Public Schools'): their police, written out.
        return listed.kind == "" and row.kind == "police" and one == other
    if not row.kind:
        return False
    if one == other:
        return True
    if "metropolitan" in row.words:
        # 'Metro Nashville Police Department' ('Nashville Metropolitan Police Department'),
        # 'St. Louis Metropolitan Police Department' (the 'St. Louis Police Department').
        if "metropolitan" in listed.words:
            return sorted(row.words) == sorted(listed.words)
        if row.words[-1] == "metropolitan":
            return "".join(row.words[:-1]) == other
    if len(one) < 5:
        return False
    limit = 2 if len(one) >= 12 and len(row.words) == len(listed.words) else 1
    return _distance(one, other, limit) <= limit


def _spelled(
    name: str, state: str, *, kind: str, counties: Sequence[str], index: AgencyIndex
) -> AgencyMatch:
    """The directory's agency a source misspells or writes with words the directory leaves out,
    the last tier, asked only for a row without an ORI that names its counties: 'Tuscon Police
    Department' (the Tucson Police Department), 'Warrick County Seriff's Office', 'De Kalb
    Police Department', 'University of Alabama in Huntsville Police Department' ('University of
    Alabama: Huntsville'), 'Borough of Lodi Police Department' (the 'Lodi Police Department'),
    'Gun Lake Tribal Police Department' ('Gun Lake Tribal'). Taken only when exactly one agency
    with an ORI serving one of those counties is spelled alike (`_spelled_alike`); a university's
    police are never a city's, a sheriff never a police department. Several, or none: nothing
    (the row's agency is new, as before)."""
    if not counties or not state:
        return AgencyMatch(None)
    row = _spelling(name, state, kind)
    found = [
        agency
        for agency in index.directory_in(state, counties)
        if any(
            _spelled_alike(row, listed)
            for listed in _listed_spellings(agency.name, state, agency.kind)
        )
    ]
    if len(found) == 1:
        return AgencyMatch(found[0], (), "spelled")
    return AgencyMatch(None)


def alias_wanted(
    agency: Agency, name: str, writer: Writer, index: AgencyIndex | None = None
) -> bool:
    """Whether the name a source gives a stored agency it found is to be kept as one of the
    agency's known names (an `AgencyAlias`): a name that an import or our fixtures give, under
    another key than the agency's name and its known names ('Voorhees Police Department' for
    the directory's 'Voorhees Township Police Department'). The agency keeps its name; the
    matcher and the search find it under both, and no one is asked to choose."""
    if agency.pk is None or writer.kind not in (WriterKind.IMPORT, WriterKind.FIXTURE):
        return False
    key = agency_name_key(name or "")
    if not key or key == agency.name_key:
        return False
    return key not in (index or AgencyIndex()).alias_keys(agency)


def agency_key(plan: AgencyPlan) -> AgencyKey | None:
    """The (normalised name, state) an agency plan without an id is stored under (unique in the
    database); None for a plan that names its agency by id (or names none)."""
    if plan.pk is not None or not given(plan.name) or not given(plan.state):
        return None
    return normalize_name(plan.name), plan.state  # type: ignore[arg-type, return-value]


def agency_query(plan: AgencyPlan) -> AgencyQuery | None:
    if plan.pk is not None or not given(plan.name) or not given(plan.state):
        return None
    return AgencyQuery(plan.name, plan.state, plan.ori if given(plan.ori) else "")  # type: ignore[arg-type]


def agency_plan_match(plan: AgencyPlan, index: AgencyIndex | None = None) -> AgencyMatch:
    """`agency_match` asked with what an agency plan (without an id) says."""
    return agency_match(
        name=plan.name,  # type: ignore[arg-type]
        state=plan.state,  # type: ignore[arg-type]
        ori=plan.ori if given(plan.ori) else "",  # type: ignore[arg-type]
        city=plan.city if given(plan.city) else "",  # type: ignore[arg-type]
        counties=plan.add_counties,
        kind=plan.kind if given(plan.kind) else "",  # type: ignore[arg-type]
        index=index,
    )


def agency_find(plan: AgencyPlan, index: AgencyIndex | None = None) -> Agency | None:
    """The stored agency a plan means (by id, else as `agency_match` decides), or None for a new
    one. Raises `AgencyUnmatched` where the write path must not decide."""
    return agency_found(plan, index).agency


def agency_found(plan: AgencyPlan, index: AgencyIndex | None = None) -> AgencyMatch:
    """`agency_find` with how the agency was found (`AgencyMatch.rule`, "id" for a plan that
    names its agency by id): a writer writes nothing of a row's agency found by "spelled"."""
    if plan.pk is not None:
        return AgencyMatch(Agency.objects.get(pk=plan.pk), (), "id")
    if agency_query(plan) is None:
        raise ValueError("An agency plan needs an id, or a name and a state.")
    match = agency_plan_match(plan, index)
    if match.rule == "ambiguous":
        raise AgencyUnmatched(
            f"agency {plan.name!r} ({plan.state}) could be any of: {match.describe()}; "
            "left for a moderator",
            match,
        )
    if match.agency is None and plan.match_only:
        raise AgencyUnmatched(
            f"agency {plan.name!r} ({plan.state}) is not in the directory; nothing created",
            match,
        )
    return match


# Sources.


def source_key(plan: SourcePlan | Source) -> Hashable:
    """A source is its address; a print source (no address), its title and publisher."""
    url = (plan.url or "").strip()
    if url:
        return ("url", url)
    title = plan.title if given(plan.title) else ""
    publisher = plan.publisher if given(plan.publisher) else ""
    return ("print", title, publisher)


def source_find(plan: SourcePlan) -> Source | None:
    if plan.pk is not None:
        return Source.objects.get(pk=plan.pk)
    url = (plan.url or "").strip()
    if url:
        return Source.objects.filter(url=url).first()
    title = plan.title if given(plan.title) else ""
    publisher = plan.publisher if given(plan.publisher) else ""
    return (
        Source.objects.filter(url__isnull=True, title=title, publisher=publisher)
        .order_by("pk")
        .first()
    )


# Partnerships.


def row_number(text: str | None) -> str:
    """A source's row number as stored: 'AOS0025' for 'AOS25', 'AOS000025' (the current Atlas
    layout pads its numbers) and 'aos0025'; other numbers as they are."""
    text = "".join((text or "").split()).upper()
    found = re.fullmatch(r"AOS0*(\d+)", text)
    return f"AOS{int(found[1]):04d}" if found else text


@dataclass(frozen=True)
class Siblings:
    """The other rows of one run (a file) that say the same thing as a row (agency, technology,
    vendor): each is a partnership of its own, told apart by its number; `rank` is the row's
    place among them, in file order."""

    numbers: frozenset[str] = frozenset()
    rank: int = 0


NO_SIBLINGS = Siblings()


def agency_who(agency: AgencyPlan, index: AgencyIndex | None = None) -> tuple[Hashable, str]:
    """Which agency a plan names, as the rows of one run compare them, and by what rule: its id;
    its ORI (one agency an ORI, as the writer decides: a row with another ORI than the agency
    its name finds is another agency); else the stored agency the matcher finds in `index` (by
    that agency's ORI when it has one), else the name as written."""
    if agency.pk is not None:
        return ("pk", agency.pk), "id"
    ori = ori_of(agency.ori) if given(agency.ori) else ""  # type: ignore[arg-type]
    if ori:
        return ("ori", ori), "ori"
    named: Hashable = (agency_name_key(agency.name or ""), agency.state)  # type: ignore[arg-type]
    if index is None or agency_query(agency) is None:
        return named, "none"
    match = agency_plan_match(agency, index)
    if match.agency is None or match.agency.pk is None:
        return named, match.rule
    found_ori = ori_of(match.agency.ori)
    return (("ori", found_ori) if found_ori else ("pk", match.agency.pk)), match.rule


def row_says(plan: PartnershipPlan, index: AgencyIndex | None = None) -> Hashable:
    """What a row says, as the rows of one file can compare it: its agency (`agency_who`: two
    spellings of one stored agency are one agency), technology and vendor."""
    who, _ = agency_who(plan.agency, index)
    technology = plan.technology
    what = name_key(technology.name) if given(technology) else ""
    vendor = plan.vendor
    by = name_key(vendor.name) if given(vendor) and vendor is not None else ""
    return (who, what, by)


def siblings_of(
    plans: Sequence[PartnershipPlan], agencies: AgencyIndex | None = None
) -> list[Siblings]:
    """For each numbered plan of a run, the other numbered plans that say the same thing (with
    `agencies`, the index of the agencies stored before the run: "Stafford County SO" and
    "Strafford County SO" are siblings when both are the one stored sheriff's office)."""
    groups: dict[Hashable, list[int]] = defaultdict(list)
    numbers: list[str] = []
    for index, plan in enumerate(plans):
        number = row_number(plan.atlas_id) if given(plan.atlas_id) else ""  # type: ignore[arg-type]
        numbers.append(number)
        if number and plan.pk is None:
            groups[row_says(plan, agencies)].append(index)
    found = [NO_SIBLINGS] * len(plans)
    for members in groups.values():
        if len(members) < 2:
            continue
        for rank, index in enumerate(members):
            others = frozenset(numbers[other] for other in members if other != index)
            found[index] = Siblings(others, rank)
    return found


def same_start(partnership: Partnership, plan: PartnershipPlan) -> bool:
    """Whether the partnership starts when the plan says (Match.SAME_START)."""
    start = plan.start if isinstance(plan.start, PartialDate) else None
    return (partnership.start_date, partnership.start_precision) == (
        (start.first_day(), start.precision) if start else (None, "")
    )


@dataclass(frozen=True)
class PartnershipPick:
    """Which stored partnership a plan is (None: a new one), whether the plan's number is to be
    written on it (`adopt`: our unnumbered record takes the number), and whether a new
    partnership may carry the number (no other partnership has it)."""

    partnership: Partnership | None
    adopt: bool = False
    number_free: bool = True


def partnership_pick(
    plan: PartnershipPlan,
    *,
    agency_id: int | None,
    technology_id: int,
    vendor_id: int | None,
    numbered: Partnership | None,
    candidates: Iterable[Partnership],
    siblings: Siblings = NO_SIBLINGS,
) -> PartnershipPick:
    """The one definition of "which partnership is this row", for a plan without `pk`.

    `numbered`: the stored partnership with the plan's row number, if any; `candidates`: the
    agency's partnerships, in id order. The numbered one is the row's when it says the same
    thing (agency, technology, vendor); a number never makes a partnership another agency's or
    another technology's. Otherwise the row is a partnership of the agency with the same
    technology and vendor: our own unnumbered one first (the row adopts it, as before), for a
    numbered row also one that another export numbered (sources renumber their rows), never
    one that another row of this file says the same thing under its own number (`siblings`:
    the Atlas lists some partnerships twice). `match` narrows as `Match` says."""
    number = row_number(plan.atlas_id) if given(plan.atlas_id) else ""  # type: ignore[arg-type]
    number_free = numbered is None
    if plan.match == Match.NEW:
        return PartnershipPick(None, number_free=number_free)
    if numbered is not None and (
        numbered.agency_id == agency_id is not None
        and numbered.technology_id == technology_id
        and (vendor_id is None or numbered.vendor_id in (None, vendor_id))
    ):
        return PartnershipPick(numbered, number_free=False)
    if agency_id is None:
        return PartnershipPick(None, number_free=number_free)
    same = [
        candidate
        for candidate in candidates
        if (candidate.technology_id, candidate.vendor_id) == (technology_id, vendor_id)
        and candidate.agency_id == agency_id
        and (plan.match != Match.SAME_START or same_start(candidate, plan))
    ]
    unnumbered = [candidate for candidate in same if not candidate.atlas_id]
    if number:
        renumbered = [
            candidate
            for candidate in same
            if candidate.atlas_id and candidate.atlas_id not in siblings.numbers
        ]
        ordered = unnumbered + renumbered
        if len(ordered) > siblings.rank:
            found = ordered[siblings.rank]
            return PartnershipPick(found, adopt=not found.atlas_id and number_free)
        return PartnershipPick(None, number_free=number_free)
    ordered = same if plan.match == Match.ANY else unnumbered
    return PartnershipPick(ordered[0] if ordered else None, number_free=number_free)


def partnership_find(
    plan: PartnershipPlan,
    *,
    agency: Agency,
    technology: Technology | None,
    vendor: Vendor | None,
    siblings: Siblings = NO_SIBLINGS,
) -> PartnershipPick:
    """The partnership a plan is about (by id, else `partnership_pick` over the database)."""
    if plan.pk is not None:
        return PartnershipPick(Partnership.objects.get(pk=plan.pk), number_free=False)
    number = row_number(plan.atlas_id) if given(plan.atlas_id) else ""  # type: ignore[arg-type]
    numbered = Partnership.objects.filter(atlas_id=number).first() if number else None
    if technology is None:
        if numbered is not None and numbered.agency_id == agency.pk:
            return PartnershipPick(numbered, number_free=False)
        return PartnershipPick(None, number_free=numbered is None)
    candidates = (
        Partnership.objects.filter(agency=agency, technology=technology).order_by("pk")
        if agency.pk is not None
        else []
    )
    return partnership_pick(
        plan,
        agency_id=agency.pk,
        technology_id=technology.pk,
        vendor_id=vendor.pk if vendor else None,
        numbered=numbered,
        candidates=candidates,
        siblings=siblings,
    )


# Technologies and vendors.


def name_key(name: str) -> str:
    """'  Predpol ' and 'PredPol' are one vendor: compare letters and digits only."""
    return vendor_name_key(name)


def technology_find(*, name: str, slug: str = "") -> Technology | None:
    """The technology a name or slug means: by slug, else by name ignoring case and
    punctuation."""
    technology = Technology.objects.filter(slug=slug or slugify(name)).first()
    if technology is None:
        key = name_key(name)
        technology = next(
            (item for item in Technology.objects.all() if name_key(item.name) == key), None
        )
    return technology


def vendor_find(*, name: str, slug: str = "") -> Vendor | None:
    """The vendor a name or slug means: by slug, else by name ignoring case, spaces and
    punctuation, else by one of its other known names (`VendorAlias`)."""
    vendor = Vendor.objects.filter(slug=slug).first() if slug else None
    if vendor is None:
        key = name_key(" ".join(name.split()))
        vendor = next((item for item in Vendor.objects.all() if name_key(item.name) == key), None)
        if vendor is None and key:
            alias = VendorAlias.objects.filter(name_key=key).select_related("vendor").first()
            vendor = alias.vendor if alias is not None else None
    return vendor
