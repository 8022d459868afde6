"""factory_boy factories for the public record."""

from __future__ import annotations

import factory

from survmap.geo.models import County, State
from survmap.records.models import (
    DIRECTORY_ATTRIBUTION,
    Agency,
    AgencyKind,
    Partnership,
    PartnershipStatus,
    PolicyEvent,
    PolicyEventKind,
    Source,
    Technology,
    TechnologyCategory,
    Vendor,
)


class TechnologyFactory(factory.django.DjangoModelFactory[Technology]):
    class Meta:
        model = Technology
        django_get_or_create = ("slug",)

    name = factory.Sequence(lambda n: f"Technology {n}")
    slug = factory.Sequence(lambda n: f"technology-{n}")
    category = TechnologyCategory.OTHER


class VendorFactory(factory.django.DjangoModelFactory[Vendor]):
    class Meta:
        model = Vendor
        django_get_or_create = ("slug",)

    name = factory.Sequence(lambda n: f"Vendor {n}")
    slug = factory.Sequence(lambda n: f"vendor-{n}")


class AgencyFactory(factory.django.DjangoModelFactory[Agency]):
    class Meta:
        model = Agency
        skip_postgeneration_save = True

    name = factory.Sequence(lambda n: f"Springfield {n} Police Department")
    kind = AgencyKind.POLICE
    state = factory.LazyFunction(lambda: State.objects.get(code="MI"))
    city = "Springfield"

    @factory.post_generation
    def counties(self, create: bool, extracted: list[str] | None, **kwargs: object) -> None:
        if create and extracted:
            self.counties.set(County.objects.filter(fips__in=extracted))


class DirectoryAgencyFactory(AgencyFactory):
    """An agency of the directory of US agencies: an ORI and its credit, no partnership."""

    name = factory.Sequence(lambda n: f"Shelbyville {n} Police Department")
    ori = factory.Sequence(lambda n: f"MI{n % 100000:05d}00")
    attribution = DIRECTORY_ATTRIBUTION


class SourceFactory(factory.django.DjangoModelFactory[Source]):
    class Meta:
        model = Source

    url = factory.Sequence(lambda n: f"https://news.example.org/story-{n}")
    title = factory.Sequence(lambda n: f"Story {n}")
    publisher = "Example News"


class PartnershipFactory(factory.django.DjangoModelFactory[Partnership]):
    class Meta:
        model = Partnership
        skip_postgeneration_save = True

    agency = factory.SubFactory(AgencyFactory)
    technology = factory.SubFactory(TechnologyFactory)
    vendor = factory.SubFactory(VendorFactory)
    status = PartnershipStatus.ACTIVE

    @factory.post_generation
    def sources(self, create: bool, extracted: list[Source] | None, **kwargs: object) -> None:
        """Sourced by default; pass sources=[] for a partnership that must stay hidden."""
        if not create:
            return
        self.sources.set(extracted if extracted is not None else [SourceFactory()])


class PolicyEventFactory(factory.django.DjangoModelFactory[PolicyEvent]):
    class Meta:
        model = PolicyEvent
        skip_postgeneration_save = True

    title = factory.Sequence(lambda n: f"Decision {n}")
    kind = PolicyEventKind.BAN
    date = factory.Faker("date_object")
    actor = "City council"

    @factory.post_generation
    def sources(self, create: bool, extracted: list[Source] | None, **kwargs: object) -> None:
        if create:
            self.sources.set(extracted if extracted is not None else [SourceFactory()])
