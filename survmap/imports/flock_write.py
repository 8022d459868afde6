"""The Private Eyes import's writes: what `imports.flock` parsed, resolved to agencies through the
one matcher, handed to the records' write path (partnerships) and the plate-reader services
(organisations, observations, sharing), in one transaction."""

from __future__ import annotations

import datetime as dt
import math
import time
from collections import Counter
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field

from django.db import transaction
from django.utils import timezone

from survmap.common import statistics
from survmap.common.dates import PartialDate
from survmap.imports import runs
from survmap.imports.fields import FieldWarning
from survmap.imports.flock import (
    ATTRIBUTION,
    DATASET_PUBLISHED,
    DATASET_PUBLISHER,
    DATASET_TITLE,
    DATASET_URL,
    FLOCK,
    READ_ON,
    SURVEY_ON,
    TECHNOLOGY,
    FlockData,
    Portal,
    Surveyed,
    as_partial,
    parse_flock,
)
from survmap.imports.flock_labels import OrgKind
from survmap.imports.flock_resolve import Checked, Party, read_checked, resolve
from survmap.imports.kinds import ImporterKind, NoteKind
from survmap.imports.readers import Row
from survmap.imports.report import ImportReport
from survmap.platereaders import services
from survmap.platereaders.models import ObservationMethod
from survmap.records.models import Partnership, Technology, Vendor
from survmap.records.plans import (
    AgencyPlan,
    Match,
    PartnershipPlan,
    PlannedRow,
    SourcePlan,
    TechnologyRef,
    VendorRef,
    Writer,
)
from survmap.records.services import plans_apply, plans_held

_TECHNOLOGY = TechnologyRef(name=TECHNOLOGY[0], slug=TECHNOLOGY[1], category=TECHNOLOGY[2])
_FLOCK = VendorRef(name=FLOCK[0], slug=FLOCK[1])
_DATASET = SourcePlan(
    url=DATASET_URL,
    title=DATASET_TITLE,
    publisher=DATASET_PUBLISHER,
    published=DATASET_PUBLISHED,
    notes=(
        "The data behind The News & Observer's investigation 'Private Eyes' (May 2024), MIT "
        "licence; the authors call its findings preliminary and subject to fact checking."
    ),
    attribution=ATTRIBUTION,
)


def _portal_source(portal: Portal) -> SourcePlan:
    moment = portal.read or portal.updated
    return SourcePlan(
        url=portal.url,
        title=f"{portal.party.label}: transparency portal",
        publisher="Flock Safety",
        accessed_date=moment.date() if moment else None,
        attribution=ATTRIBUTION,
    )


# -- the import ---------------------------------------------------------------------------------


class FlockImporter:
    """Reads the parsed files into the records: partnerships through the records' write path
    (`plans_apply`), organisations, observations and sharing links through the plate-reader
    services, the whole import in one transaction (a failure leaves nothing half-written), and
    the run kept for moderators with a note per label left unmatched."""

    label = "Private Eyes data (The News & Observer, 2024)"
    source = "nando-private-eyes"

    def __init__(
        self,
        files: Mapping[str, Sequence[Row]],
        *,
        dry_run: bool = False,
        file_name: str = "",
        user: object = None,
        checked: Mapping[str, Checked] | None = None,
    ) -> None:
        self.files = files
        self.dry_run = dry_run
        self.file_name = file_name or "fixtures/flock"
        self.user = user
        # The labels matched by hand (fixtures/research/flock-organisations.csv), read before
        # anything is written: a bad list is a CheckedError and nothing is imported.
        self.checked = read_checked() if checked is None else checked

    def run(self) -> FlockReport:
        return run(self)


@dataclass
class FlockReport:
    """What the import did, for the command's summary and the tests."""

    portals: int = 0
    portals_on_agency: int = 0
    portals_on_directory: int = 0
    links_read: int = 0
    links_stored: int = 0
    organisations: int = 0
    organisations_resolved: int = 0
    # Of those, the labels a person matched by hand, and the organisations an earlier load kept
    # whose label now finds its agency (their links moved to it).
    organisations_checked: int = 0
    organisations_matched: int = 0
    partnerships: Counter[str] = field(default_factory=Counter)
    observations: Counter[str] = field(default_factory=Counter)
    sharing: Counter[str] = field(default_factory=Counter)
    created_organisations: Counter[str] = field(default_factory=Counter)
    notes: int = 0
    run_id: int | None = None
    run_path: str = ""
    dry_run: bool = False
    seconds: float = 0.0

    def summary_lines(self) -> list[str]:
        head = "Dry run, nothing written. " if self.dry_run else ""
        # Rounded down, so that a share just under a target never reads as reaching it.
        share = (
            math.floor(1000 * self.organisations_resolved / self.organisations) / 1000
            if self.organisations
            else 0
        )
        lines = [
            f"{head}Portals: {self.portals}, {self.portals_on_agency} on an agency "
            f"({self.portals_on_directory} found in the directory).",
            f"Sharing links: {self.links_read} read, {self.links_stored} stored "
            f"({self.sharing['created']} new); organisations named: {self.organisations}, "
            f"{self.organisations_resolved} resolved to an agency ({share:.1%}; "
            f"{self.organisations_checked} of them checked by hand).",
            "Partnerships: "
            + ", ".join(f"{k} {v}" for k, v in sorted(self.partnerships.items()))
            + "; observations: "
            + ", ".join(f"{k} {v}" for k, v in sorted(self.observations.items()))
            + f"; organisations created: {self.created_organisations['created']}, "
            f"matched to their agency since an earlier load: {self.organisations_matched}.",
        ]
        if self.run_id is not None:
            lines.append(
                f"Kept for moderators as import run {self.run_id}, {self.notes} lines to "
                f"check: {self.run_path}"
            )
        lines.append("Credit: The News & Observer (MIT).")
        return lines


def _agency_plan(party: Party, portal_party_kind: str, state: str) -> AgencyPlan | None:
    """The agency a plan names: the matched one, or (a portal or survey of a law-enforcement
    agency the directory does not know at all) a new one under the label's name. An ambiguous
    label, or an organisation that is not police, names none."""
    if party.agency_id is not None:
        return AgencyPlan(pk=party.agency_id)
    if party.rule == "none" and party.kind == OrgKind.LAW_ENFORCEMENT and state:
        return AgencyPlan(
            name=party.name, state=state, kind=portal_party_kind, attribution=ATTRIBUTION
        )
    return None


def _portal_plan(portal: Portal, agency: AgencyPlan) -> PartnershipPlan:
    return PartnershipPlan(
        agency=agency,
        technology=_TECHNOLOGY,
        vendor=_FLOCK,
        status="active",
        status_as_of=as_partial(portal.read or portal.updated, READ_ON),
        attribution=ATTRIBUTION,
        add_sources=(_portal_source(portal), _DATASET),
        # The agency's Flock plate readers, whoever recorded them first (the 2020 Atlas's row
        # has its own number): the portal confirms that partnership, adds its sources and
        # status, and leaves the rest (the Atlas's summary, a moderator's edits) as it is. No
        # summary of its own for that reason: the portal's figures are its observations.
        match=Match.ANY,
    )


def _survey_plan(row: Surveyed, agency: AgencyPlan) -> PartnershipPlan:
    sources = [_DATASET]
    if row.document_url:
        sources.append(
            SourcePlan(
                url=row.document_url,
                title=f"{row.party.label}: document cited by The News & Observer's survey",
                publisher="DocumentCloud (The News & Observer)",
                attribution=ATTRIBUTION,
            )
        )
    if row.portal_url:
        sources.append(
            SourcePlan(
                url=row.portal_url,
                title=f"{row.party.label}: transparency portal",
                publisher="Flock Safety",
                attribution=ATTRIBUTION,
            )
        )
    return PartnershipPlan(
        agency=agency,
        technology=_TECHNOLOGY,
        vendor=VendorRef(name=row.vendor[0], slug=row.vendor[1]) if row.vendor else None,
        status="active",
        status_as_of=SURVEY_ON,
        attribution=ATTRIBUTION,
        add_sources=tuple(sources),
        match=Match.ANY,
    )


def _survey_observations(
    data: FlockData, parties: dict[str, Party], technology: Technology, source_ids: dict[str, int]
) -> list[services.ObservationPlan]:
    """The survey's confirmed camera counts, each on its agency's partnership with the vendor
    the survey names, citing the survey's document and the data set."""
    wanted = [
        row
        for row in data.survey
        if row.cameras is not None and parties[row.party.label].agency_id is not None
    ]
    found: dict[tuple[int, str], int] = {}
    for pk, agency_id, vendor_slug in Partnership.objects.filter(
        technology=technology,
        agency_id__in={parties[row.party.label].agency_id for row in wanted},
    ).values_list("pk", "agency_id", "vendor__slug"):
        found.setdefault((agency_id, vendor_slug or ""), pk)
    plans = []
    moment = dt.datetime(SURVEY_ON.year, SURVEY_ON.month or 1, SURVEY_ON.day or 1, tzinfo=dt.UTC)
    for row in wanted:
        owner = parties[row.party.label].agency_id
        assert owner is not None
        partnership_id = found.get((owner, row.vendor[1] if row.vendor else ""))
        if partnership_id is None:
            continue
        urls = [url for url in (row.document_url, DATASET_URL) if url in source_ids]
        plans.append(
            services.ObservationPlan(
                party=owner,
                partnership_id=partnership_id,
                method=ObservationMethod.SURVEY,
                observed_at=moment,
                source_ids=tuple(source_ids[url] for url in urls),
                values=(("cameras", row.cameras),),
                attribution=ATTRIBUTION,
            )
        )
    return plans


def run(importer: FlockImporter) -> FlockReport:
    started = time.monotonic()
    with plans_held():
        report = _run(importer)
    report.seconds = time.monotonic() - started
    return report


def _run(importer: FlockImporter) -> FlockReport:
    started_at = timezone.now()
    data = parse_flock(importer.files)
    writer = Writer.import_file(importer.label, source=importer.source)
    report = FlockReport(dry_run=importer.dry_run)
    notes = ImportReport(dry_run=importer.dry_run)
    notes.rows_read = sum(len(rows) for rows in importer.files.values())
    notes.warnings.extend(data.warnings)
    conflicts_after = 0 if importer.dry_run else runs.conflicts_mark()
    with transaction.atomic():
        _write(data, writer, report, notes, importer.checked)
        if importer.dry_run:
            transaction.set_rollback(True)
    if not importer.dry_run:
        run = runs.run_record(
            report=notes,
            importer=ImporterKind.FLOCK,
            writer=writer,
            file_name=importer.file_name,
            started_at=started_at,
            conflicts_after=conflicts_after,
            user=importer.user,
        )
        report.run_id, report.run_path = run.pk, notes.run_path
        report.notes = notes.run_notes
        statistics.refresh()
    return report


def _write(
    data: FlockData,
    writer: Writer,
    report: FlockReport,
    notes: ImportReport,
    checked: Mapping[str, Checked],
) -> None:
    for file, line, why in data.refused:
        notes.errors.append((line, f"{file}: {why}"))
        notes.rejected[why] += 1
    # The portals and the survey first: a portal's agency the directory lacks is created, and
    # the links then find it like any other.
    owners = [portal.party for portal in data.portals] + [row.party for row in data.survey]
    parties = resolve(owners, checked=checked)
    planned: list[PlannedRow] = []
    on_directory: set[str] = set()
    for portal in data.portals:
        party = parties[portal.party.label]
        agency = _agency_plan(party, portal.party.kind, portal.party.state)
        if party.agency_id is not None:
            on_directory.add(portal.url)
        if agency is not None:
            planned.append(
                PlannedRow(portal.line, portal.party.label, _portal_plan(portal, agency))
            )
        elif party.note:
            notes.warn(
                FieldWarning(
                    portal.line, "agency", portal.party.label, party.note, NoteKind.AGENCY_UNMATCHED
                )
            )
    for row in data.survey:
        party = parties[row.party.label]
        agency = _agency_plan(party, row.party.kind, row.party.state)
        if agency is not None:
            planned.append(PlannedRow(row.line, row.party.label, _survey_plan(row, agency)))
        elif party.note:
            notes.warn(
                FieldWarning(
                    row.line, "name", row.party.label, party.note, NoteKind.AGENCY_UNMATCHED
                )
            )
    applied = plans_apply(rows=planned, writer=writer, batch_size=500)
    notes.take(applied)
    report.partnerships.update(applied.outcomes)

    # Every label again, now that the portals' new agencies exist.
    parties = resolve(data.labels(), listed_in=data.listed_in(), checked=checked)
    # An organisation an earlier load kept for a label that now finds its agency (a reading or
    # a hand check added since) is matched to it, its links moved, as a moderator would: the
    # links below then find them on the agency instead of adding a second of each.
    report.organisations_matched = services.organisations_found(
        found={
            party.label: party.agency_id
            for party in parties.values()
            if party.agency_id is not None
        },
        writer=writer,
    )
    unresolved = [party for party in parties.values() if party.agency_id is None and party.name]
    organisations, created = services.organisations_ensure(
        plans=[
            services.OrganisationPlan(
                name=party.name,
                state=party.state,
                kind=party.kind,
                label=party.label,
                note=party.note,
                attribution=ATTRIBUTION,
            )
            for party in unresolved
        ],
        writer=writer,
    )
    report.created_organisations.update(created)
    first_line: dict[str, tuple[int, str]] = {}
    for portal in data.portals:
        first_line.setdefault(portal.party.label, (portal.line, "agency"))
    for link in data.links:
        first_line.setdefault(link.source.label, (link.line, "src_agency"))
        first_line.setdefault(link.to.label, (link.line, "external_agency"))
    for party in unresolved:
        if party.rule in ("ambiguous", "none", "unreadable") and party.label in first_line:
            line, column = first_line[party.label]
            notes.warn(
                FieldWarning(line, column, party.label, party.note, NoteKind.AGENCY_UNMATCHED)
            )

    technology = Technology.objects.get(slug=TECHNOLOGY[1])
    vendor = Vendor.objects.get(slug=FLOCK[1])
    source_ids = services.source_ids(
        [DATASET_URL]
        + [p.url for p in data.portals]
        + [r.document_url for r in data.survey if r.document_url]
    )
    partnership_of = dict(
        Partnership.sources.through.objects.filter(
            source__url__in=[p.url for p in data.portals],
            partnership__technology=technology,
            partnership__vendor=vendor,
        ).values_list("source__url", "partnership_id")
    )

    def ref(party: Party) -> services.PartyRef:
        return party.agency_id if party.agency_id is not None else party.key

    observations = []
    for portal in data.portals:
        party = parties[portal.party.label]
        partnership_id = partnership_of.get(portal.url)
        report.portals += 1
        if partnership_id is not None:
            report.portals_on_agency += 1
            report.portals_on_directory += portal.url in on_directory
        owner: services.PartyRef = ref(party) if partnership_id is None else 0
        if partnership_id is None and isinstance(owner, int):
            continue  # an agency without the partnership: refused above, with its line
        policy = portal.policy
        values = {
            "read_at": portal.read,
            "cameras": portal.cameras,
            "retention_days": portal.retention_days,
            "hotlists": portal.hotlists,
            "vehicles_detected_30d": portal.vehicles_30d,
            "hotlist_hits_30d": portal.hotlist_hits_30d,
            "searches_30d": portal.searches_30d,
            "public_search_audit": portal.public_search_audit,
            "organisations_with_access": portal.organisations_with_access,
        }
        if policy is not None:
            values.update(
                whats_detected=policy.whats_detected,
                whats_not_detected=policy.whats_not_detected,
                acceptable_use=policy.acceptable_use,
                prohibited_uses=policy.prohibited_uses,
                access_policy=policy.access_policy,
                hotlist_policy=policy.hotlist_policy,
                policy_updated_at=policy.updated,
            )
        observations.append(
            services.ObservationPlan(
                party=owner,
                partnership_id=partnership_id,
                method=ObservationMethod.PORTAL,
                portal_url=portal.url,
                observed_at=portal.updated or portal.read or timezone.now(),
                source_ids=tuple(
                    source_ids[url] for url in (portal.url, DATASET_URL) if url in source_ids
                ),
                values=tuple(values.items()),
                attribution=ATTRIBUTION,
            )
        )
    observations += _survey_observations(data, parties, technology, source_ids)
    report.observations.update(
        services.observations_add(plans=observations, organisations=organisations, writer=writer)
    )

    portal_source = {portal.party.label: source_ids.get(portal.url) for portal in data.portals}
    sharing = []
    dataset_id = source_ids[DATASET_URL]
    for link in data.links:
        source_party, to_party = parties[link.source.label], parties[link.to.label]
        if not source_party.name or not to_party.name:
            continue
        sharing.append(
            services.SharingPlan(
                source_party=ref(source_party),
                to_party=ref(to_party),
                technology_id=technology.pk,
                vendor_id=vendor.pk,
                as_of=READ_ON,
                source_id=portal_source.get(link.source.label) or dataset_id,
                attribution=ATTRIBUTION,
                line=link.line,
            )
        )
    report.links_read = len(data.links)
    report.sharing.update(
        services.sharing_add(plans=sharing, organisations=organisations, writer=writer)
    )
    report.links_stored = sum(report.sharing.values()) - report.sharing["self"]
    # Each link is a row of the run, like each portal and surveyed agency.
    notes.outcomes["created"] += report.sharing["created"]
    notes.outcomes["unchanged"] += report.links_stored - report.sharing["created"]
    named = {link.to.label for link in data.links} | {link.source.label for link in data.links}
    report.organisations = len(named)
    report.organisations_resolved = sum(
        1 for label in named if parties[label].agency_id is not None
    )
    report.organisations_checked = sum(1 for label in named if parties[label].rule == "checked")


__all__ = ["PartialDate", "run"]
