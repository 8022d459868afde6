"""Synthetic partnerships for the benchmark: realistic shapes (agencies spread over real counties,
several technologies and vendors, one to three sources each), written in bulk."""

from __future__ import annotations

import datetime as dt
import random

from django.db import transaction

from survmap.common import data_version, statistics
from survmap.geo.models import County
from survmap.records.models import (
    Agency,
    AgencyKind,
    Partnership,
    PartnershipStatus,
    Source,
    Technology,
    TechnologyCategory,
    Vendor,
)
from survmap.records.normalize import normalize_name

BATCH = 2_000


def generate_partnerships(
    count: int, *, seed: int = 7, prefix: str = "Synthetic", agencies: int | None = None
) -> int:
    """Add `count` sourced partnerships held by `agencies` new agencies (by default one per
    three partnerships), so that the same partnerships can be spread over 4,000 or 20,000
    agencies. Returns the number of partnerships now in the database."""
    total = _generate(count, seed=seed, prefix=prefix, agencies=agencies)
    # As the importers do after a bulk write, once the rows are committed.
    statistics.refresh()
    return total


@transaction.atomic
def _generate(count: int, *, seed: int, prefix: str, agencies: int | None) -> int:
    rng = random.Random(seed)  # noqa: S311 - reproducible test data, not secrets
    technologies = list(Technology.objects.all())
    if not technologies:
        technologies = [
            Technology.objects.create(name=label, slug=value.replace("_", "-"), category=value)
            for value, label in TechnologyCategory.choices
        ]
    vendors = list(Vendor.objects.all()) or [
        Vendor.objects.create(name=f"Vendor {i}", slug=f"vendor-{i}") for i in range(40)
    ]
    counties = list(County.objects.values_list("fips", "state_id"))
    kinds = [AgencyKind.POLICE] * 6 + [AgencyKind.SHERIFF] * 3 + [AgencyKind.UNIVERSITY]
    statuses = (
        [PartnershipStatus.ACTIVE] * 7 + [PartnershipStatus.ENDED] * 2 + [PartnershipStatus.PILOT]
    )

    start_id = (Agency.objects.order_by("-pk").values_list("pk", flat=True).first() or 0) + 1
    agency_count = max(1, count // 3 if agencies is None else agencies)
    new_agencies = []
    agency_counties = []
    for i in range(agency_count):
        fips, state = rng.choice(counties)
        name = f"{prefix} {start_id + i} Police Department"
        new_agencies.append(
            Agency(
                name=name,
                normalized_name=normalize_name(name),
                kind=rng.choice(kinds),
                state_id=state,
                city=f"Town {start_id + i}",
            )
        )
        agency_counties.append(fips)
    Agency.objects.bulk_create(new_agencies, batch_size=BATCH)
    created = list(Agency.objects.filter(pk__gte=start_id).order_by("pk"))
    through = Agency.counties.through
    through.objects.bulk_create(
        [
            through(agency_id=a.pk, county_id=f)
            for a, f in zip(created, agency_counties, strict=False)
        ],
        batch_size=BATCH,
    )

    source_start = (Source.objects.order_by("-pk").values_list("pk", flat=True).first() or 0) + 1
    sources = [
        Source(
            url=f"https://news.example.org/{prefix.lower()}/{source_start + i}",
            title=f"Report {source_start + i}",
            publisher=rng.choice(["Daily News", "City Council", "Public Records"]),
        )
        for i in range(count)
    ]
    Source.objects.bulk_create(sources, batch_size=BATCH)
    source_ids = list(Source.objects.filter(pk__gte=source_start).values_list("pk", flat=True))

    partnership_start = (
        Partnership.objects.order_by("-pk").values_list("pk", flat=True).first() or 0
    ) + 1
    rows = []
    for _ in range(count):
        start = dt.date(2012, 1, 1) + dt.timedelta(days=rng.randrange(0, 4700))
        status = rng.choice(statuses)
        end = start + dt.timedelta(days=rng.randrange(30, 1500)) if status == "ended" else None
        rows.append(
            Partnership(
                agency=rng.choice(created),
                technology=rng.choice(technologies),
                vendor=rng.choice(vendors),
                status=status,
                start_date=start,
                start_precision="day",
                end_date=end,
                end_precision="day" if end else "",
                summary="Generated for the benchmark.",
            )
        )
    Partnership.objects.bulk_create(rows, batch_size=BATCH)
    ids = list(Partnership.objects.filter(pk__gte=partnership_start).values_list("pk", flat=True))
    link = Partnership.sources.through
    links = [link(partnership_id=pid, source_id=source_ids[i]) for i, pid in enumerate(ids)]
    links += [
        link(partnership_id=pid, source_id=rng.choice(source_ids)) for pid in ids[: len(ids) // 3]
    ]
    link.objects.bulk_create(links, batch_size=BATCH, ignore_conflicts=True)
    # Bulk inserts send no signals and keep no history: tell the caches.
    data_version.bump()
    return Partnership.objects.count()


SYLLABLES = ("al", "ban", "cor", "del", "ev", "fair", "glen", "har", "ing", "ken", "lor", "mar")
SYLLABLES += ("nor", "ol", "pen", "quin", "ros", "sal", "ter", "ul", "ver", "wes", "yor", "zan")
DIRECTORY_FORMS = (
    "{place} Police Department",
    "{place} County Sheriff's Office",
    "{place} Township Police Department",
    "{place} Marshal's Office",
    "University of {place} Police Department",
)


def generate_directory(count: int, *, seed: int = 11) -> int:
    """Add `count` agencies as the directory of US agencies has them: an ORI, a kind, a city
    and a county, and no partnership (most of the 18,702 have none). Returns how many agencies
    the database then lists (a public partnership or an ORI)."""
    rng = random.Random(seed)  # noqa: S311 - reproducible test data, not secrets
    counties = list(County.objects.values_list("fips", "state_id"))
    start = (Agency.objects.order_by("-pk").values_list("pk", flat=True).first() or 0) + 1
    kinds = (AgencyKind.POLICE, AgencyKind.SHERIFF, AgencyKind.POLICE, AgencyKind.POLICE)
    kinds += (AgencyKind.UNIVERSITY,)
    rows, placed = [], []
    for i in range(count):
        fips, state = rng.choice(counties)
        place = "".join(rng.choice(SYLLABLES) for _ in range(rng.randint(2, 3))).title()
        form = i % len(DIRECTORY_FORMS)
        name = DIRECTORY_FORMS[form].format(place=f"{place} {start + i}")
        rows.append(
            Agency(
                name=name,
                normalized_name=normalize_name(name),
                kind=kinds[form],
                state_id=state,
                city=place,
                ori=f"{state}{(start + i) % 100_000:05d}00",
            )
        )
        placed.append(fips)
    with transaction.atomic():
        Agency.objects.bulk_create(rows, batch_size=BATCH)
        created = Agency.objects.filter(pk__gte=start).order_by("pk").values_list("pk", flat=True)
        through = Agency.counties.through
        through.objects.bulk_create(
            [through(agency_id=pk, county_id=f) for pk, f in zip(created, placed, strict=False)],
            batch_size=BATCH,
        )
        transaction.on_commit(data_version.bump)
    return Agency.objects.listed().count()
