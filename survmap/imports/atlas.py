"""Import the EFF Atlas of Surveillance CSV export: each row becomes an agency placed in its
counties, a partnership and its sources, written through the record services.

Repeatable: the same file twice changes nothing, a newer export updates what changed and says
what. All-or-nothing per row: each row is written in its own savepoint, rows are committed in
batches, so a bad row is reported by line and a killed run leaves only whole rows behind.
"""

from __future__ import annotations

import datetime as dt
import re
from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass, field
from typing import Any
from urllib.parse import urlsplit

from django.core.exceptions import ValidationError

from survmap.common.dates import PartialDate
from survmap.common.links import is_http_url
from survmap.geo.models import State
from survmap.imports.bulk import Batch, BulkImporter, Fresh, new_agency, new_partnership, new_source
from survmap.imports.counties import CountyMatch, CountyMatcher
from survmap.imports.readers import Row
from survmap.imports.report import RowError
from survmap.records.models import (
    ATLAS_ATTRIBUTION,
    Agency,
    AgencyKind,
    Partnership,
    PartnershipStatus,
    Source,
    Technology,
    TechnologyCategory,
    Vendor,
    ori_validator,
)
from survmap.records.normalize import clean_text, normalize_name
from survmap.records.services import (
    Outcome,
    agency_upsert,
    agency_values,
    partnership_upsert,
    partnership_values,
    source_upsert,
    source_values,
    technology_get_or_create,
    vendor_get_or_create,
)

REASON = "Atlas of Surveillance import"

# Atlas technology names (compared without case or punctuation) -> our fixture slugs.
TECHNOLOGIES: dict[str, tuple[str, TechnologyCategory]] = {
    "ringneighborspartnership": ("ring-neighbors-partnership", TechnologyCategory.DOORBELL_NETWORK),
    "bodyworncameras": ("body-worn-cameras", TechnologyCategory.BODY_CAMERAS),
    "drones": ("drones", TechnologyCategory.DRONES),
    "automatedlicenseplatereaders": (
        "automated-license-plate-readers",
        TechnologyCategory.ALPR,
    ),
    "cameraregistry": ("camera-registry", TechnologyCategory.CAMERA_REGISTRY),
    "facerecognition": ("face-recognition", TechnologyCategory.FACE_RECOGNITION),
    "predictivepolicing": ("predictive-policing", TechnologyCategory.PREDICTIVE_POLICING),
    "gunshotdetection": ("gunshot-detection", TechnologyCategory.GUNSHOT_DETECTION),
    "fusioncenter": ("fusion-center", TechnologyCategory.FUSION_CENTER),
    "cellsitesimulator": ("cell-site-simulator", TechnologyCategory.CELL_SITE_SIMULATOR),
    "realtimecrimecenter": ("real-time-crime-center", TechnologyCategory.REAL_TIME_CRIME_CENTER),
    "videoanalyticscomputervision": ("video-analytics", TechnologyCategory.VIDEO_ANALYTICS),
    "videoanalytics": ("video-analytics", TechnologyCategory.VIDEO_ANALYTICS),
}
# For a technology we lack: a category from words in its name, 'other' when none fits.
_CATEGORY_WORDS: tuple[tuple[str, TechnologyCategory], ...] = (
    ("face", TechnologyCategory.FACE_RECOGNITION),
    ("drone", TechnologyCategory.DRONES),
    ("plate", TechnologyCategory.ALPR),
    ("robot", TechnologyCategory.ROBOT),
    ("camera", TechnologyCategory.CAMERA_REGISTRY),
    ("video", TechnologyCategory.VIDEO_ANALYTICS),
    ("predictive", TechnologyCategory.PREDICTIVE_POLICING),
    ("gunshot", TechnologyCategory.GUNSHOT_DETECTION),
)
_FEDERAL_LEA = {"dhs", "homeland security", "marshals", "fbi", "dea", "atf", "ice", "cbp"}
_STATE_POLICE_LEA = {"state police", "highway patrol", "state patrol"}
_WAYBACK = re.compile(r"^https?://web\.archive\.org/web/[^/]*/(?P<original>.+)$", re.IGNORECASE)
_VENDOR_PLACEHOLDERS = {"others", "other", "unknown", "na", "n a"}
_MONTHS = ["jan", "feb", "mar", "apr", "may", "jun", "jul", "aug", "sep", "oct", "nov", "dec"]


def _key(text: str) -> str:
    return re.sub(r"[^a-z0-9]", "", clean_text(text).casefold())


def canonical_atlas_id(text: str) -> str:
    """'AOS0001' (2020 export) and 'AOS000001' (current export) name the same row."""
    text = clean_text(text).upper()
    match = re.fullmatch(r"AOS0*(\d+)", text)
    return f"AOS{int(match[1]):04d}" if match else text


def agency_kind(type_of_lea: str, type_of_juris: str) -> AgencyKind:
    lea, juris = clean_text(type_of_lea).casefold(), clean_text(type_of_juris).casefold()
    if juris == "university" or "university" in lea:
        return AgencyKind.UNIVERSITY
    if juris.startswith("school") or lea.startswith("school"):
        return AgencyKind.SCHOOL
    if lea in _STATE_POLICE_LEA:
        return AgencyKind.STATE_POLICE
    if lea in _FEDERAL_LEA or juris == "federal":
        return AgencyKind.FEDERAL
    if lea == "sheriff":
        return AgencyKind.SHERIFF
    if lea in {"police", "transit police"}:
        return AgencyKind.POLICE
    return AgencyKind.OTHER


def parse_date(text: str, *, today: dt.date | None = None) -> PartialDate | None:
    """PartialDate.parse, plus the unambiguous spellings the Atlas also uses ('June 1, 2016',
    '26 Mar 2014', '07-11-2019', '02/18/ 2020'). Ranges and spreadsheet serial numbers are
    refused, not guessed."""
    text = clean_text(text)
    text = re.sub(r"\s*/\s*", "/", text)
    if re.fullmatch(r"\d{1,2}-\d{1,2}-\d{4}", text):
        text = text.replace("-", "/")
    words = re.fullmatch(r"([A-Za-z]+)\.? (\d{1,2}),? (\d{4})", text) or None
    if words and words[1][:3].casefold() in _MONTHS:
        return PartialDate(int(words[3]), _MONTHS.index(words[1][:3].casefold()) + 1, int(words[2]))
    words = re.fullmatch(r"(\d{1,2}) ([A-Za-z]+)\.? (\d{4})", text)
    if words and words[2][:3].casefold() in _MONTHS:
        return PartialDate(int(words[3]), _MONTHS.index(words[2][:3].casefold()) + 1, int(words[1]))
    return PartialDate.parse(text, today=today)


@dataclass(frozen=True)
class Link:
    url: str
    archive_url: str = ""
    publisher: str = ""
    published: PartialDate | None = None


@dataclass
class AgencyPlan:
    """One agency as the whole file describes it: the first row's kind and city, every row's
    counties. Deciding once per file keeps a re-import from flip-flopping between rows."""

    name: str
    state: str
    kind: str
    city: str
    counties: list[str] = field(default_factory=list)
    latitude: float | None = None
    longitude: float | None = None
    ori: str = ""


@dataclass
class RowPlan:
    row: Row
    atlas_id: str
    agency_key: tuple[str, str]
    technology: str
    vendors: list[str]
    status: str
    start: PartialDate | None
    summary: str
    links: list[Link]


class AtlasImporter(BulkImporter):
    """Import Atlas rows (from `readers.read_atlas`, or any Rows in tests) into the record."""

    reason = REASON

    def __init__(
        self,
        rows: Iterable[Row],
        *,
        dry_run: bool = False,
        progress: bool | None = False,
        batch_size: int = 500,
        matcher: CountyMatcher | None = None,
        today: dt.date | None = None,
    ) -> None:
        super().__init__(rows, dry_run=dry_run, progress=progress, batch_size=batch_size)
        self.matcher = matcher or CountyMatcher()
        self.today = today
        self._agency_plans: dict[tuple[str, str], AgencyPlan] = {}
        self._source_values: dict[str, Link] = {}

    # Planning: read and check every row, decide per agency and per source, write nothing.

    def plan(self) -> list[RowPlan | RowError]:
        states = set(State.objects.values_list("code", flat=True))
        plans: list[RowPlan | RowError] = []
        seen: dict[str, int] = {}
        for row in self.rows:
            try:
                plan = self._plan_row(row, states)
                if plan.atlas_id in seen:
                    raise RowError(
                        "duplicate row id",
                        f"{plan.atlas_id} already appears on line {seen[plan.atlas_id]}",
                    )
                seen[plan.atlas_id] = row.line
                plans.append(plan)
            except RowError as error:
                plans.append(error)
                self.report.reject(row.line, error)
        self._merge_sources(plans)
        return plans

    def _plan_row(self, row: Row, states: set[str]) -> RowPlan:
        if "__fields__" in row.cells:
            raise RowError(
                "malformed row", f"has {row.cells['__fields__']} fields, not as the header says"
            )
        atlas_id = canonical_atlas_id(row.get("AOSNUMBER"))
        if not atlas_id:
            raise RowError("no row id", "has no AOSNUMBER")
        name = clean_text(row.get("Agency"))
        if not normalize_name(name):
            raise RowError("no agency", f"{atlas_id} names no agency")
        state = clean_text(row.get("State")).upper()
        if state not in states:
            raise RowError(
                "unknown state", f"{atlas_id}: state {state!r} is not a US state or territory"
            )
        technology = clean_text(row.get("Technology"))
        if not _key(technology):
            raise RowError("no technology", f"{atlas_id} names no technology")
        links = self._links(row, atlas_id)
        start = None
        if _key(technology) == "ringneighborspartnership":
            # For Ring/Neighbors the Atlas dates Link 1 when the agency joined.
            start = self._date(row, 1, atlas_id)
        status = self._status(row, atlas_id)
        counties = self._counties(row, state)
        self._plan_agency(row, name, state, counties)
        return RowPlan(
            row=row,
            atlas_id=atlas_id,
            agency_key=(normalize_name(name), state),
            technology=technology,
            vendors=self._vendors(row.get("Vendor")),
            status=status,
            start=start,
            summary=row.get("Summary").strip(),
            links=links,
        )

    def _date(self, row: Row, number: int, atlas_id: str) -> PartialDate | None:
        text = row.get(f"Link {number} Date")
        try:
            return parse_date(text, today=self.today)
        except ValueError:
            raise RowError(
                "unreadable date", f"{atlas_id}: Link {number} Date {text.strip()!r} is not a date"
            ) from None

    def _status(self, row: Row, atlas_id: str) -> str:
        text = _key(row.get("Status"))
        if not text:
            return PartnershipStatus.ACTIVE
        for value, label in PartnershipStatus.choices:
            if text in {_key(value), _key(str(label))}:
                return value
        raise RowError("unknown status", f"{atlas_id}: status {row.get('Status')!r} is unknown")

    def _vendors(self, text: str) -> list[str]:
        names = [" ".join(clean_text(part).split()) for part in text.split(",")]
        return [name for name in names if _key(name) and _key(name) not in _VENDOR_PLACEHOLDERS]

    def _counties(self, row: Row, state: str) -> CountyMatch:
        latitude, longitude = self._coordinates(row)
        if latitude is not None and longitude is not None:
            fips = self.matcher.locate(latitude=latitude, longitude=longitude)
            if fips is not None:
                return CountyMatch(fips=[fips], named=True, located=True)
        return self.matcher.match(state=state, county=row.get("County"), city=row.get("City"))

    def _coordinates(self, row: Row) -> tuple[float | None, float | None]:
        values = []
        for names in (("Latitude", "Lat"), ("Longitude", "Lon", "Long")):
            text = next((row.get(name) for name in names if row.get(name).strip()), "")
            try:
                values.append(float(text))
            except ValueError:
                return None, None
        latitude, longitude = values
        if not (-90 <= latitude <= 90 and -180 <= longitude <= 180):
            return None, None
        return latitude, longitude

    def _plan_agency(self, row: Row, name: str, state: str, counties: CountyMatch) -> None:
        report = self.report
        if counties.located or counties.complete:
            report.counties_matched += 1
        elif counties.named:
            report.counties_unmatched += 1
            for text in counties.unmatched:
                report.unmatched_counties[f"{text}, {state}"] += 1
        elif counties.fips:
            report.counties_matched += 1
        else:
            report.no_county += 1
        report.counties_corrected += len(counties.corrected)
        for text, census_name in counties.corrected:
            report.notes.append((row.line, f"county {text!r} read as {census_name}"))
        key = (normalize_name(name), state)
        plan = self._agency_plans.get(key)
        if plan is None:
            plan = AgencyPlan(
                name=name,
                state=state,
                kind=agency_kind(row.get("Type of LEA"), row.get("Type of Juris")),
                city=clean_text(row.get("City")),
            )
            self._agency_plans[key] = plan
        for fips in counties.fips:
            if fips not in plan.counties:
                plan.counties.append(fips)
        latitude, longitude = self._coordinates(row)
        if plan.latitude is None and latitude is not None:
            plan.latitude, plan.longitude = latitude, longitude
        ori = clean_text(row.get("NEWAOSNUMBER (ORI9)")).upper()
        if ori and not plan.ori:
            try:
                ori_validator(ori)
                plan.ori = ori
            except ValidationError:
                pass  # the current export fills this column with row numbers too

    def _links(self, row: Row, atlas_id: str) -> list[Link]:
        """The row's sources: http(s) links with publisher and date; a Wayback Machine link
        becomes the archived copy of the link it preserves, or a source of its own."""
        found: list[Link] = []
        archives: list[tuple[str, str, str, PartialDate | None]] = []
        for number in (1, 2, 3):
            url, more = clean_text(row.get(f"Link {number}")), []
            if len(url.split()) > 1 and all("://" in part for part in url.split()):
                url, *more = url.split()
            # 'https://a https://a': the same address pasted twice, or a second one added.
            for extra in more:
                if is_http_url(extra) and not _same_url(extra, url):
                    found.append(Link(url=extra))
            snapshot = clean_text(row.get(f"Link {number} Snapshot"))
            if not url and not snapshot:
                continue
            published = self._date(row, number, atlas_id)
            publisher = clean_text(row.get(f"Link {number} Source"))
            if snapshot and not is_http_url(snapshot):
                self.report.dropped_links.append((row.line, f"{atlas_id}: {snapshot!r}"))
                snapshot = ""
            if not url:
                url, snapshot = snapshot, ""
            if not is_http_url(url):
                self.report.dropped_links.append((row.line, f"{atlas_id}: {url!r}"))
                continue
            wayback = _WAYBACK.match(url)
            if wayback:
                archives.append((wayback["original"], url, publisher, published))
                continue
            if snapshot:
                wayback_snapshot = _WAYBACK.match(snapshot)
                if wayback_snapshot and not _same_url(wayback_snapshot["original"], url):
                    archives.append((wayback_snapshot["original"], snapshot, "", None))
                    snapshot = ""
            found.append(
                Link(url=url, archive_url=snapshot, publisher=publisher, published=published)
            )
        for text in clean_text(row.get("Other Links")).replace(",", " ").split():
            if is_http_url(text):
                if not any(_same_url(text, link.url) for link in found):
                    found.append(Link(url=text))
            else:
                self.report.dropped_links.append((row.line, f"{atlas_id}: {text!r}"))
        for original, archive, publisher, published in archives:
            index = next((i for i, link in enumerate(found) if _same_url(original, link.url)), None)
            if index is not None:
                link = found[index]
                found[index] = Link(link.url, archive, link.publisher, link.published)
                continue
            if not re.match(r"https?://", original, re.IGNORECASE):
                original = "http://" + original
            # Stands alone: the original address, with the Wayback copy as its archive.
            url = original if is_http_url(original) else archive
            found.append(
                Link(url=url, archive_url=archive, publisher=publisher, published=published)
            )
        return found

    def _merge_sources(self, plans: list[RowPlan | RowError]) -> None:
        """One set of values per address across the file: the first publisher, date and archive
        any row gives. Rows citing one article with different dates would otherwise overwrite
        each other on every run."""
        merged: dict[str, Link] = {}
        # A page many rows cite with different dates (Ring's map of partner agencies, where
        # the Atlas dates each row by when the agency joined) has no one publication date.
        undated: set[str] = set()
        for plan in plans:
            if isinstance(plan, RowError):
                continue
            for link in plan.links:
                known = merged.get(link.url)
                if known is None:
                    merged[link.url] = link
                    continue
                if known.published and link.published and known.published != link.published:
                    undated.add(link.url)
                merged[link.url] = Link(
                    url=link.url,
                    archive_url=known.archive_url or link.archive_url,
                    publisher=known.publisher or link.publisher,
                    published=known.published or link.published,
                )
        for url in undated:
            link = merged[url]
            merged[url] = Link(link.url, link.archive_url, link.publisher, None)
        self._source_values = merged

    # Writing.

    def _reset_caches(self) -> None:
        self._agencies: dict[tuple[str, str], Agency] = {}
        self._technologies: dict[str, Technology] = {}
        self._vendors_by_key: dict[str, Vendor] = {}
        self._sources: dict[str, Source] = {}

    def _label(self, plan: RowPlan) -> str:
        return plan.atlas_id

    def prepare(self) -> None:
        """The records as they stand, so that a row that would change nothing is recognised
        without a query: a re-import of the same file then costs almost nothing."""
        self.known_agencies = {
            (agency.normalized_name, agency.state_id): agency
            for agency in Agency.objects.prefetch_related("counties")
        }
        self.known_sources = {
            source.url: source for source in Source.objects.filter(url__isnull=False)
        }
        self.known_partnerships = {
            partnership.atlas_id: partnership
            for partnership in Partnership.objects.filter(atlas_id__isnull=False)
        }
        # The sources each cites, from the link table alone: a prefetch would name every
        # partnership in one IN list, which SQLite, once it has statistics, answers by probing
        # that list for every source (2 s for the Atlas file).
        self.known_citations: dict[int, set[int]] = defaultdict(set)
        for partnership_id, source_id in Partnership.sources.through.objects.filter(
            partnership__atlas_id__isnull=False
        ).values_list("partnership_id", "source_id"):
            self.known_citations[partnership_id].add(source_id)
        # Our own partnerships without an Atlas id, which a row may turn out to be.
        self.unnumbered = set(
            Partnership.objects.filter(atlas_id__isnull=True).values_list(
                "agency_id", "technology_id", "vendor_id"
            )
        )
        self.batch_ids: set[str] = set()

    # The bulk path (bulk.py).

    def fresh(self, plan: RowPlan, batch: Batch) -> Fresh | None:
        """The row's records if all that is not new is unchanged; partnerships already known go
        the per-row way, which recognises an unchanged one without a write."""
        if plan.atlas_id in self.known_partnerships or plan.atlas_id in self.batch_ids:
            return None
        fresh_agency = False
        agency = self.cached_agency(plan.agency_key) or batch.agencies.get(plan.agency_key)
        if agency is None:
            if plan.agency_key in self.known_agencies:
                return None  # exists but differs: an update, for the services
            agency_plan = self._agency_plans[plan.agency_key]
            agency = new_agency(
                name=agency_plan.name,
                state=agency_plan.state,
                values=agency_values(
                    kind=agency_plan.kind,
                    city=agency_plan.city,
                    ori=agency_plan.ori,
                    attribution=ATLAS_ATTRIBUTION,
                    latitude=agency_plan.latitude,
                    longitude=agency_plan.longitude,
                ),
            )
            if agency is None:
                return None
            fresh_agency = True
        sources: list[Source] = []
        new_sources: dict[Any, Source] = {}
        for link in plan.links:
            source = (
                self.cached_source(link.url)
                or batch.sources.get(link.url)
                or new_sources.get(link.url)
            )
            if source is None:
                if link.url in self.known_sources:
                    return None
                values = self._source_values.get(link.url, link)
                source = new_source(
                    url=values.url,
                    values=source_values(
                        publisher=values.publisher,
                        published=values.published,
                        archive_url=values.archive_url,
                        attribution=ATLAS_ATTRIBUTION,
                    ),
                )
                if source is None:
                    return None
                new_sources[link.url] = source
            if all(source is not other for other in sources):
                sources.append(source)
        technology = self._technology(plan.technology, [])
        vendors = [self._vendor(name, []) for name in plan.vendors]
        vendor: Vendor | None = vendors[0] if vendors else None
        if agency.pk is not None and (agency.pk, technology.pk, vendor.pk if vendor else None) in (
            self.unnumbered
        ):
            return None  # an existing partnership may be this one: the per-row path adopts it
        partnership = new_partnership(
            partnership_values(
                agency=agency,
                technology=technology,
                vendor=vendor,
                status=plan.status,
                start=plan.start,
                summary=self.summary_for(plan, vendors),
                atlas_id=plan.atlas_id,
                attribution=ATLAS_ATTRIBUTION,
            )
        )
        if partnership is None:
            return None
        self.batch_ids.add(plan.atlas_id)
        return Fresh(
            plan=plan,
            agency=agency,
            sources=sources,
            partnership=partnership,
            agency_key=plan.agency_key,
            new_agency=fresh_agency,
            counties=self._agency_plans[plan.agency_key].counties,
            new_sources=new_sources,
        )

    def note_written(self, fresh: Fresh) -> None:
        self._agencies[fresh.plan.agency_key] = fresh.agency
        for source in fresh.sources:
            if source.url:
                self._sources[source.url] = source

    def cached_agency(self, key: tuple[str, str]) -> Agency | None:
        agency = self._agencies.get(key)
        if agency is not None:
            return agency
        known = self.known_agencies.get(key)
        if known is not None and _agency_same(known, self._agency_plans[key]):
            self._agencies[key] = known
            return known
        return None

    def cached_source(self, url: str) -> Source | None:
        source = self._sources.get(url)
        if source is not None:
            return source
        known = self.known_sources.get(url)
        if known is not None and _source_same(known, self._source_values.get(url) or Link(url)):
            self._sources[url] = known
            return known
        return None

    def summary_for(self, plan: RowPlan, vendors: list[Vendor]) -> str:
        if len(vendors) > 1:
            # One vendor per partnership in our model: the first named; the rest said in words.
            names = ", ".join(vendor.name for vendor in vendors)
            return f"{plan.summary}\n\nVendors named by the Atlas: {names}.".strip()
        return plan.summary

    def _import(self, plan: RowPlan) -> tuple[Outcome, list[str]]:
        row = plan.row
        changes: list[str] = []
        agency = self._agency(plan.agency_key, changes)
        self.checkpoint("agency", row)
        technology = self._technology(plan.technology, changes)
        vendors = [self._vendor(name, changes) for name in plan.vendors]
        sources = [self._source(link, changes) for link in plan.links]
        self.checkpoint("sources", row)
        summary = self.summary_for(plan, vendors)
        vendor = vendors[0] if vendors else None
        known = self.known_partnerships.get(plan.atlas_id)
        if known is not None and _partnership_same(
            known,
            self.known_citations[known.pk],
            agency,
            technology,
            vendor,
            sources,
            plan,
            summary,
        ):
            return (Outcome.UPDATED if changes else Outcome.UNCHANGED), changes
        instance = Partnership.objects.filter(atlas_id=plan.atlas_id).first()
        if instance is None:
            # Our own record of the same partnership, before it had an Atlas id: adopt it.
            instance = (
                Partnership.objects.filter(
                    agency=agency, technology=technology, vendor=vendor, atlas_id__isnull=True
                )
                .order_by("pk")
                .first()
            )
            if instance is not None:
                changes.append(f"adopted partnership {instance.pk}")
        before = _snapshot(instance) if instance is not None else None
        cited = (
            set(instance.sources.values_list("pk", flat=True)) if instance is not None else set()
        )
        partnership, outcome = partnership_upsert(
            agency=agency,
            technology=technology,
            vendor=vendor,
            sources=sources,
            status=plan.status,
            start=plan.start,
            summary=summary,
            atlas_id=plan.atlas_id,
            attribution=ATLAS_ATTRIBUTION,
            instance=instance,
            reason=REASON,
            check_constraints=False,
        )
        self.checkpoint("partnership", row)
        if before is not None and outcome == Outcome.UPDATED:
            after = _snapshot(partnership)
            fields = [name for name in after if after[name] != before[name]]
            if fields:
                changes.append(f"partnership {', '.join(fields)} changed")
            added = {source.pk for source in sources} - cited
            if added:
                changes.append(f"partnership cites {len(added)} more source(s)")
        if outcome == Outcome.CREATED:
            return Outcome.CREATED, []
        return (Outcome.UPDATED if changes else Outcome.UNCHANGED), changes

    def _agency(self, key: tuple[str, str], changes: list[str]) -> Agency:
        agency = self._agencies.get(key)
        if agency is not None:
            return agency
        plan = self._agency_plans[key]
        known = self.known_agencies.get(key)
        if known is not None and _agency_same(known, plan):
            self._agencies[key] = known
            return known
        agency, outcome = agency_upsert(
            name=plan.name,
            state=plan.state,
            kind=plan.kind,
            city=plan.city,
            county_fips=plan.counties,
            latitude=plan.latitude,
            longitude=plan.longitude,
            ori=plan.ori,
            attribution=ATLAS_ATTRIBUTION,
            reason=REASON,
            check_constraints=False,
        )
        if outcome != Outcome.UNCHANGED:
            changes.append(f"agency {agency.name} {outcome}")
        self._agencies[key] = agency
        return agency

    def _technology(self, name: str, changes: list[str]) -> Technology:
        key = _key(name)
        technology = self._technologies.get(key)
        if technology is None:
            slug, category = TECHNOLOGIES.get(key, ("", _category(name)))
            technology, outcome = technology_get_or_create(
                name=name, slug=slug, category=category, reason=REASON
            )
            if outcome == Outcome.CREATED:
                changes.append(f"technology {name} created")
            self._technologies[key] = technology
        return technology

    def _vendor(self, name: str, changes: list[str]) -> Vendor:
        key = _key(name)
        vendor = self._vendors_by_key.get(key)
        if vendor is None:
            vendor, outcome = vendor_get_or_create(name=name, reason=REASON)
            if outcome == Outcome.CREATED:
                changes.append(f"vendor {name} created")
            self._vendors_by_key[key] = vendor
        return vendor

    def _source(self, link: Link, changes: list[str]) -> Source:
        source = self._sources.get(link.url)
        if source is not None:
            return source
        values = self._source_values.get(link.url, link)
        known = self.known_sources.get(values.url)
        if known is not None and _source_same(known, values):
            self._sources[link.url] = known
            return known
        source, outcome = source_upsert(
            url=values.url,
            publisher=values.publisher,
            published=values.published,
            archive_url=values.archive_url,
            attribution=ATLAS_ATTRIBUTION,
            reason=REASON,
            check_constraints=False,
        )
        if outcome != Outcome.UNCHANGED:
            changes.append(f"source {source.url} {outcome}")
        self._sources[link.url] = source
        return source


def _agency_same(agency: Agency, plan: AgencyPlan) -> bool:
    """Whether agency_upsert with this plan would change nothing."""
    if agency.kind != plan.kind or agency.attribution != ATLAS_ATTRIBUTION:
        return False
    if (plan.city and agency.city != plan.city) or (plan.ori and agency.ori != plan.ori):
        return False
    if plan.latitude is not None and (agency.latitude, agency.longitude) != (
        plan.latitude,
        plan.longitude,
    ):
        return False
    known = {county.fips for county in agency.counties.all()}
    return set(plan.counties) <= known


def _source_same(source: Source, link: Link) -> bool:
    """Whether source_upsert with these values would change nothing."""
    if source.attribution != ATLAS_ATTRIBUTION:
        return False
    if (link.publisher and source.publisher != link.publisher) or (
        link.archive_url and source.archive_url != link.archive_url
    ):
        return False
    published = link.published
    return published is None or (source.published_date, source.published_precision) == (
        published.first_day(),
        published.precision,
    )


def _partnership_same(
    partnership: Partnership,
    cited: set[int],
    agency: Agency,
    technology: Technology,
    vendor: Vendor | None,
    sources: list[Source],
    plan: RowPlan,
    summary: str,
) -> bool:
    """Whether partnership_upsert with these values would change nothing (`cited`: the ids of
    the sources the partnership cites)."""
    start = plan.start
    values = (
        agency.pk,
        technology.pk,
        vendor.pk if vendor else None,
        plan.status,
        start.first_day() if start else None,
        start.precision if start else "",
        None,
        "",
        summary,
        "",
        ATLAS_ATTRIBUTION,
    )
    stored = (
        partnership.agency_id,
        partnership.technology_id,
        partnership.vendor_id,
        partnership.status,
        partnership.start_date,
        partnership.start_precision,
        partnership.end_date,
        partnership.end_precision,
        partnership.summary,
        partnership.product,
        partnership.attribution,
    )
    if values != stored:
        return False
    return all(source.pk in cited for source in sources)


def _category(name: str) -> TechnologyCategory:
    lowered = name.casefold()
    return next(
        (category for word, category in _CATEGORY_WORDS if word in lowered),
        TechnologyCategory.OTHER,
    )


def _same_url(first: str, second: str) -> bool:
    def strip(url: str) -> str:
        parts = urlsplit(url if "://" in url else "http://" + url)
        return (
            f"{parts.netloc.casefold().removeprefix('www.')}{parts.path.rstrip('/')}?{parts.query}"
        )

    return strip(first) == strip(second)


def _snapshot(partnership: Partnership) -> dict[str, Any]:
    fields = ("technology_id", "vendor_id", "status", "start_date", "start_precision", "summary")
    values = {name: getattr(partnership, name) for name in fields}
    values["agency_id"] = partnership.agency_id
    return values
