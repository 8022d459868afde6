"""Plate readers beyond the partnership: what a vendor's transparency portal (or a survey) said
on a given day, the organisations that are not a directory agency, and who may search whose
plate reads (data sharing). Every table keeps its full history.

A figure is an observation, dated and sourced, never prose and never overwritten: another
reading of the same portal adds a row. A sharing link is a record of its own, from one agency
or organisation to another, for a technology and vendor, as of the day its source said so."""

from __future__ import annotations

from typing import ClassVar

from django.core.validators import MinValueValidator
from django.db import models
from django.db.models import Q
from simple_history.models import HistoricalRecords

from survmap.common.links import HttpURLField, http_url_validator
from survmap.common.models import TimeStampedModel
from survmap.geo.models import State
from survmap.records.models import Agency, Partnership, Source, Technology, Vendor
from survmap.records.normalize import normalize_name

NANDO_ATTRIBUTION = "The News & Observer, Private Eyes data (MIT)"


class OrganisationKind(models.TextChoices):
    LAW_ENFORCEMENT = "law_enforcement", "Law enforcement, not found in the directory"
    GOVERNMENT = "government", "Other public body (prosecutor, dispatch, task force, city)"
    FEDERAL = "federal", "Federal agency"
    BUSINESS = "business", "Business"
    HOA = "hoa", "Homeowners' association"
    RAILWAY = "railway", "Railway"
    VENDOR = "vendor", "Vendor's own account (demonstration, test, training)"
    OTHER = "other", "Other"


class Organisation(TimeStampedModel):
    """Whoever a source names that is not (or not yet) a directory agency: a homeowners'
    association, a business, a railway, a federal agency, or a police label the directory
    does not know or could not tell apart. A moderator who finds its agency sets `agency`."""

    name = models.CharField(max_length=200, help_text="The organisation's name, written out.")
    name_key = models.CharField(
        max_length=200,
        editable=False,
        help_text="Lower-case name without punctuation; unique within a state.",
    )
    state = models.ForeignKey(
        State,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        help_text="USPS code of its state, where the source gives one.",
    )
    kind = models.CharField(
        max_length=20, choices=OrganisationKind.choices, help_text="What sort of organisation."
    )
    label = models.CharField(
        max_length=200, blank=True, help_text="How the source first wrote its name (evidence)."
    )
    agency = models.ForeignKey(
        Agency,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="organisations",
        help_text="The directory agency it is, once a moderator has found it.",
    )
    note = models.TextField(
        blank=True, help_text="Why it is not a directory agency (ambiguous, unknown, not police)."
    )
    attribution = models.CharField(
        max_length=200, blank=True, help_text="Credit owed for this record when shown."
    )

    history = HistoricalRecords()

    class Meta:
        ordering = ["name", "pk"]
        constraints = [
            models.UniqueConstraint(
                fields=["name_key", "state"], name="organisation_unique_name_per_state"
            ),
            models.UniqueConstraint(
                fields=["name_key"],
                condition=Q(state__isnull=True),
                name="organisation_unique_name_without_state",
            ),
            models.CheckConstraint(
                condition=~Q(name_key=""), name="organisation_name_key_not_empty"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.name} ({self.state_id})" if self.state_id else self.name

    def save(self, *args: object, **kwargs: object) -> None:
        self.name_key = normalize_name(self.name)
        super().save(*args, **kwargs)  # type: ignore[arg-type]


class ObservationMethod(models.TextChoices):
    PORTAL = "portal", "The agency's transparency portal"
    SURVEY = "survey", "A survey of agencies"


class Observation(TimeStampedModel):
    """The figures one source gave about one agency's plate readers, as of one day. A later
    reading is a new observation; none is ever overwritten by an import."""

    partnership = models.ForeignKey(
        Partnership,
        on_delete=models.CASCADE,
        null=True,
        blank=True,
        related_name="observations",
        help_text="The plate-reader partnership observed.",
    )
    organisation = models.ForeignKey(
        Organisation,
        on_delete=models.CASCADE,
        null=True,
        blank=True,
        related_name="observations",
        help_text="The organisation observed, when it is not a directory agency.",
    )
    method = models.CharField(
        max_length=10, choices=ObservationMethod.choices, help_text="How the figures were read."
    )
    portal_url = HttpURLField(
        max_length=500,
        blank=True,
        validators=[http_url_validator],
        help_text="The transparency portal read, if any.",
    )
    observed_at = models.DateTimeField(
        help_text="When the source says its figures were last updated (else when read)."
    )
    read_at = models.DateTimeField(
        null=True, blank=True, help_text="When the source was read (by The News & Observer)."
    )
    cameras = models.PositiveIntegerField(
        null=True, blank=True, help_text="Plate-reader cameras the agency owns."
    )
    retention_days = models.PositiveIntegerField(
        null=True, blank=True, help_text="How many days plate reads are kept."
    )
    hotlists = models.TextField(
        blank=True, help_text="Hotlists the cameras alert on (NCIC, NCMEC Amber Alert ...)."
    )
    vehicles_detected_30d = models.PositiveBigIntegerField(
        null=True, blank=True, help_text="Vehicles detected in the 30 days before the update."
    )
    hotlist_hits_30d = models.PositiveBigIntegerField(
        null=True, blank=True, help_text="Hotlist hits in the 30 days before the update."
    )
    searches_30d = models.PositiveBigIntegerField(
        null=True, blank=True, help_text="Searches in the 30 days before the update."
    )
    public_search_audit = models.BooleanField(
        null=True, blank=True, help_text="Whether the portal offers a public audit of searches."
    )
    organisations_with_access = models.PositiveIntegerField(
        null=True,
        blank=True,
        validators=[MinValueValidator(0)],
        help_text="How many other organisations the portal says may search its reads.",
    )
    # The stated policy, in the portal's own words.
    whats_detected = models.TextField(blank=True, help_text="What the portal says is detected.")
    whats_not_detected = models.TextField(
        blank=True, help_text="What the portal says is not detected."
    )
    acceptable_use = models.TextField(blank=True, help_text="Its stated acceptable use.")
    prohibited_uses = models.TextField(
        blank=True, help_text="Its stated prohibited uses, verbatim."
    )
    access_policy = models.TextField(blank=True, help_text="Its stated access policy.")
    hotlist_policy = models.TextField(blank=True, help_text="Its stated hotlist policy.")
    policy_updated_at = models.DateTimeField(
        null=True, blank=True, help_text="When the portal says its policy was last updated."
    )
    sources = models.ManyToManyField(
        Source, related_name="observations", help_text="Where the figures were read."
    )
    attribution = models.CharField(
        max_length=200, blank=True, help_text="Credit owed for these figures when shown."
    )

    history = HistoricalRecords()

    class Meta:
        ordering = ["-observed_at", "pk"]
        constraints = [
            models.CheckConstraint(
                condition=Q(partnership__isnull=False) | Q(organisation__isnull=False),
                name="observation_of_someone",
            ),
            models.UniqueConstraint(
                fields=["partnership", "method", "portal_url", "observed_at"],
                condition=Q(partnership__isnull=False),
                name="observation_one_per_reading",
            ),
            models.UniqueConstraint(
                fields=["organisation", "method", "portal_url", "observed_at"],
                condition=Q(organisation__isnull=False),
                name="observation_one_per_reading_of_organisation",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.get_method_display()} of {self.observed_at:%Y-%m-%d}"


class Sharing(TimeStampedModel):
    """One agency's (or organisation's) data may be searched by another, for a technology and
    vendor, as of a day its source (the sharing agency's portal) said so."""

    from_agency = models.ForeignKey(
        Agency,
        on_delete=models.CASCADE,
        null=True,
        blank=True,
        related_name="shares_to",
        help_text="The agency whose data may be searched.",
    )
    from_organisation = models.ForeignKey(
        Organisation,
        on_delete=models.CASCADE,
        null=True,
        blank=True,
        related_name="shares_to",
        help_text="The organisation whose data may be searched, when it is not an agency.",
    )
    to_agency = models.ForeignKey(
        Agency,
        on_delete=models.CASCADE,
        null=True,
        blank=True,
        related_name="shares_from",
        help_text="The agency that may search it.",
    )
    to_organisation = models.ForeignKey(
        Organisation,
        on_delete=models.CASCADE,
        null=True,
        blank=True,
        related_name="shares_from",
        help_text="The organisation that may search it, when it is not an agency.",
    )
    technology = models.ForeignKey(
        Technology, on_delete=models.PROTECT, related_name="+", help_text="The technology."
    )
    vendor = models.ForeignKey(
        Vendor,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        help_text="Whose system the data is shared through.",
    )
    as_of = models.DateField(help_text="When the source last said so.")
    source = models.ForeignKey(
        Source,
        on_delete=models.PROTECT,
        related_name="sharing",
        help_text="The document that says so: the sharing agency's portal.",
    )
    attribution = models.CharField(
        max_length=200, blank=True, help_text="Credit owed for this record when shown."
    )
    link_key = models.CharField(
        max_length=80,
        editable=False,
        help_text="The link's identity: both ends, the technology and the vendor (one a pair).",
    )

    history = HistoricalRecords()

    class Meta:
        ordering = ["pk"]
        constraints = [
            models.CheckConstraint(
                condition=Q(from_agency__isnull=False, from_organisation__isnull=True)
                | Q(from_agency__isnull=True, from_organisation__isnull=False),
                name="sharing_from_one",
            ),
            models.CheckConstraint(
                condition=Q(to_agency__isnull=False, to_organisation__isnull=True)
                | Q(to_agency__isnull=True, to_organisation__isnull=False),
                name="sharing_to_one",
            ),
            models.UniqueConstraint(fields=["link_key"], name="sharing_unique_link"),
        ]
        indexes = [
            models.Index(fields=["from_agency", "to_agency"], name="sharing_from_to_idx"),
            models.Index(fields=["to_agency", "from_agency"], name="sharing_to_from_idx"),
        ]

    objects: ClassVar[models.Manager[Sharing]] = models.Manager()

    def __str__(self) -> str:
        return f"{self.from_party} -> {self.to_party}"

    def save(self, *args: object, **kwargs: object) -> None:
        self.link_key = self.key_of(
            self.from_agency_id,
            self.from_organisation_id,
            self.to_agency_id,
            self.to_organisation_id,
            self.technology_id,
            self.vendor_id,
        )
        super().save(*args, **kwargs)  # type: ignore[arg-type]

    @staticmethod
    def key_of(
        from_agency: int | None,
        from_organisation: int | None,
        to_agency: int | None,
        to_organisation: int | None,
        technology: int | None,
        vendor: int | None,
    ) -> str:
        """ "a12>o7:t4:v9": agency 12's data searched by organisation 7, technology 4, vendor 9."""
        source = f"a{from_agency}" if from_agency else f"o{from_organisation}"
        to = f"a{to_agency}" if to_agency else f"o{to_organisation}"
        return f"{source}>{to}:t{technology}:v{vendor or ''}"

    @property
    def from_party(self) -> Agency | Organisation | None:
        return self.from_agency or self.from_organisation

    @property
    def to_party(self) -> Agency | Organisation | None:
        return self.to_agency or self.to_organisation
