"""Reads for the moderation queue and the public form: likely duplicates, agency look-ups."""

from __future__ import annotations

import difflib
from dataclasses import dataclass, field

from django.db.models import QuerySet

from survmap.records.models import Agency, Partnership
from survmap.records.normalize import normalize_name
from survmap.submissions.models import Submission, SubmissionKind

SIMILAR_NAME_RATIO = 0.85
AGENCY_MATCH_LIMIT = 10
DUPLICATE_COUNT_CAP = 10
# Words most agency names share: compared as they are, "Springfield Police Department" and
# "Shelbyville Police Department" look alike. The place name is what tells agencies apart.
GENERIC_WORDS = frozenset(
    [
        "police",
        "department",
        "sheriff",
        "sheriffs",
        "office",
        "county",
        "city",
        "of",
        "the",
        "public",
        "safety",
        "state",
        "patrol",
        "university",
        "campus",
        "college",
        "town",
        "township",
        "village",
        "division",
        "bureau",
        "district",
        "school",
        "and",
        "metropolitan",
        "metro",
        "regional",
    ]
)


def distinctive(normalized_name: str) -> str:
    """The words of a normalised agency name that are not generic (all of it if none are)."""
    words = [word for word in normalized_name.split() if word not in GENERIC_WORDS]
    return " ".join(words) or normalized_name


@dataclass
class Duplicates:
    partnerships: list[Partnership] = field(default_factory=list)
    agencies: list[tuple[Agency, float]] = field(default_factory=list)

    def __len__(self) -> int:
        return len(self.partnerships) + len(self.agencies)


def state_agencies(state_code: str, *, queryset: QuerySet[Agency] | None = None) -> list[Agency]:
    """The agencies of one state with just what the name comparison needs."""
    queryset = queryset if queryset is not None else Agency.objects.all()
    agencies = list(
        queryset.filter(state_id=state_code).only(
            "pk", "name", "normalized_name", "city", "state_id"
        )
    )
    for agency in agencies:
        agency.place = distinctive(agency.normalized_name)  # type: ignore[attr-defined]
    return agencies


def similar_agencies(
    name: str,
    state_code: str,
    *,
    candidates: list[Agency] | None = None,
    limit: int | None = None,
) -> list[tuple[Agency, float]]:
    """Agencies in the state whose names are close to this one, closest first: 1.0 for the
    same normalised name (approval merges into it), 0.95 for the same place words ("Gotham
    Police Dept" and "Gotham City Police Department"), else the similarity of the place words
    (catches misspellings). With a limit, the search stops once that many are found: the queue
    only counts them."""
    key = normalize_name(name)
    if not key or not state_code:
        return []
    if candidates is None:
        candidates = state_agencies(state_code)
    place = distinctive(key)
    matcher = difflib.SequenceMatcher(b=place, autojunk=False)
    found: list[tuple[Agency, float]] = []
    for agency in candidates:
        if limit is not None and len(found) >= limit:
            break
        if agency.normalized_name == key:
            found.append((agency, 1.0))
            continue
        other = getattr(agency, "place", None) or distinctive(agency.normalized_name)
        if other == place:
            found.append((agency, 0.95))
            continue
        matcher.set_seq1(other)
        # The quick bounds skip most names before the full comparison.
        if (
            matcher.real_quick_ratio() >= SIMILAR_NAME_RATIO
            and matcher.quick_ratio() >= SIMILAR_NAME_RATIO
        ):
            ratio = matcher.ratio()
            if ratio >= SIMILAR_NAME_RATIO:
                found.append((agency, round(min(ratio, 0.94), 2)))
    return sorted(found, key=lambda pair: (-pair[1], pair[0].name))


def likely_duplicates(
    submission: Submission,
    *,
    by_state: dict[str, list[Agency]] | None = None,
    limit: int | None = None,
) -> Duplicates:
    """Published records the submission may repeat: partnerships of the same agency and
    technology, and agencies with a similar name in the same state. `by_state` caches each
    state's agencies across the submissions of one queue page."""
    duplicates = Duplicates()
    if submission.kind == SubmissionKind.CORRECTION:
        return duplicates
    agencies: list[Agency] = []
    if submission.agency_id is not None and submission.agency is not None:
        agencies = [submission.agency]
    elif submission.agency_name and submission.agency_state_id:
        state = submission.agency_state_id
        if by_state is None:
            by_state = {}
        if state not in by_state:
            by_state[state] = state_agencies(state)
        duplicates.agencies = similar_agencies(
            submission.agency_name, state, candidates=by_state[state], limit=limit
        )
        agencies = [agency for agency, ratio in duplicates.agencies if ratio == 1.0]
        # Once approved, the agency the tip became is no duplicate of itself.
        duplicates.agencies = [
            (agency, ratio)
            for agency, ratio in duplicates.agencies
            if agency.pk != submission.result_agency_id
        ]
    if agencies and submission.technology_id is not None:
        duplicates.partnerships = list(
            Partnership.objects.filter(agency__in=agencies, technology_id=submission.technology_id)
            # Nor is the partnership it became.
            .exclude(pk=submission.result_partnership_id or 0)
            .select_related("agency", "technology", "vendor")
            .order_by("pk")
        )
    return duplicates


def duplicate_counts(submissions: list[Submission]) -> dict[int, int]:
    """How many likely duplicates each submission of a queue page has (similar agency names
    counted up to DUPLICATE_COUNT_CAP; the decision page lists them all)."""
    by_state: dict[str, list[Agency]] = {}
    return {
        s.pk: len(likely_duplicates(s, by_state=by_state, limit=DUPLICATE_COUNT_CAP))
        for s in submissions
    }


def agencies_listed() -> QuerySet[Agency]:
    """Agencies a visitor may see and a tip may name: those with a public partnership and
    those of the directory of US agencies (`Agency.objects.listed()`)."""
    return Agency.objects.listed()


def agency_named(name: str, state_code: str) -> Agency | None:
    """The one listed agency of the state whose name is this one (spelt as survmap normalises
    names: case, punctuation, "Dept." for "Department"); None when none is, or several are."""
    key = normalize_name(name)
    if not key:
        return None
    found = list(agencies_listed().filter(state_id=state_code, normalized_name=key)[:2])
    return found[0] if len(found) == 1 else None


def agency_matches(query: str, state_code: str = "") -> list[Agency]:
    """Listed agencies for the form's pick-as-you-type and its no-JavaScript fallback."""
    query = query.strip()
    if len(query) < 2:
        return []
    queryset = agencies_listed().select_related("state")
    if state_code:
        queryset = queryset.filter(state_id=state_code)
    by_text = list(queryset.filter(name__icontains=query).order_by("name")[:AGENCY_MATCH_LIMIT])
    if state_code and len(by_text) < AGENCY_MATCH_LIMIT:
        seen = {agency.pk for agency in by_text}
        public = state_agencies(state_code, queryset=agencies_listed())
        for agency, _ratio in similar_agencies(query, state_code, candidates=public):
            if agency.pk not in seen:
                by_text.append(agency)
                seen.add(agency.pk)
    return by_text[:AGENCY_MATCH_LIMIT]


def public_duplicates(
    *, agency_id: int | None, agency_name: str, state_code: str, technology_id: int | None
) -> list[Partnership]:
    """Published partnerships a tip being typed may repeat, for the form to show before it is
    sent: those of the picked agency (or of a public agency with the same name in the state),
    with the chosen technology first. Only public records: the form shows nothing else."""
    agencies = agencies_listed()
    if agency_id is not None:
        agencies = agencies.filter(pk=agency_id)
    elif agency_name and state_code:
        key = normalize_name(agency_name)
        if not key:
            return []
        agencies = agencies.filter(state_id=state_code, normalized_name=key)
    else:
        return []
    partnerships = list(
        Partnership.objects.public()
        .filter(agency__in=agencies.values("pk"))
        .select_related("agency", "technology", "vendor")
        .order_by("technology__name", "pk")[: AGENCY_MATCH_LIMIT * 2]
    )
    partnerships.sort(key=lambda p: p.technology_id != technology_id)
    return partnerships
