"""The public record: agencies, technologies, vendors, partnerships, the sources behind them, and
the policy decisions that changed many partnerships at once. Every model keeps its full history."""

from __future__ import annotations

from collections.abc import Collection
from typing import Any, ClassVar

from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.validators import MaxValueValidator, MinValueValidator, RegexValidator
from django.db import models
from django.db.models import Exists, OuterRef, Q
from django.db.models.signals import pre_save
from django.dispatch import receiver
from django.urls import reverse
from django.utils.text import slugify
from simple_history.models import HistoricalRecords

from survmap.common.dates import DatePrecision, PartialDate, PartialPeriod
from survmap.common.links import HttpURLField, http_url_validator
from survmap.common.models import TimeStampedModel
from survmap.geo.models import County, State
from survmap.records.normalize import agency_name_key, clean_text, normalize_name

ATLAS_ATTRIBUTION = "Electronic Frontier Foundation, Atlas of Surveillance (CC BY 4.0)"
# The credit of the directory of US agencies (public domain): an agency with an ORI comes from it.
DIRECTORY_ATTRIBUTION = "FBI Crime Data Explorer"


def _provenance_field() -> models.JSONField:
    return models.JSONField(
        default=dict,
        blank=True,
        editable=False,
        help_text=(
            "Who set each field and link last, and when (an import of a named source file, a "
            "moderator, an approved submission), and what each import source last wrote where "
            "a person changed it since: what the merge policy in records/services.py reads."
        ),
    )


def _attribution_field() -> models.CharField:
    return models.CharField(
        max_length=200,
        blank=True,
        help_text=(
            "Credit owed for this record when it is shown or exported, e.g. "
            f"'{ATLAS_ATTRIBUTION}'. Empty for survmap's own research."
        ),
    )


class TechnologyCategory(models.TextChoices):
    FACE_RECOGNITION = "face_recognition", "Face recognition"
    DOORBELL_NETWORK = "doorbell_network", "Doorbell-camera network"
    ROBOT = "robot", "Robot"
    ALPR = "alpr", "Automated license plate readers"
    DRONES = "drones", "Drones"
    BODY_CAMERAS = "body_cameras", "Body-worn cameras"
    GUNSHOT_DETECTION = "gunshot_detection", "Gunshot detection"
    CAMERA_REGISTRY = "camera_registry", "Camera registry"
    PREDICTIVE_POLICING = "predictive_policing", "Predictive policing"
    CELL_SITE_SIMULATOR = "cell_site_simulator", "Cell-site simulator"
    FUSION_CENTER = "fusion_center", "Fusion center"
    REAL_TIME_CRIME_CENTER = "real_time_crime_center", "Real-time crime center"
    VIDEO_ANALYTICS = "video_analytics", "Video analytics"
    OTHER = "other", "Other"


class AgencyKind(models.TextChoices):
    POLICE = "police", "Police"
    SHERIFF = "sheriff", "Sheriff"
    STATE_POLICE = "state_police", "State police"
    FEDERAL = "federal", "Federal"
    UNIVERSITY = "university", "University"
    SCHOOL = "school", "School"
    OTHER = "other", "Other"


class PartnershipStatus(models.TextChoices):
    PROPOSED = "proposed", "Proposed"
    # Voted through or signed, but no source yet shows it in use (a council's approval of a
    # purchase, an accepted donation).
    APPROVED = "approved", "Approved"
    PILOT = "pilot", "Pilot"
    ACTIVE = "active", "Active"
    SUSPENDED = "suspended", "Suspended"
    ENDED = "ended", "Ended"
    BANNED = "banned", "Banned"
    # A proposal voted down or withdrawn before it began: it never ran.
    REJECTED = "rejected", "Rejected"
    # The sources show the partnership but say nothing of where it stands (the Atlas's 2020
    # export has no status column).
    NOT_REPORTED = "not_reported", "Not reported"


class PolicyEventKind(models.TextChoices):
    MORATORIUM = "moratorium", "Moratorium"
    MORATORIUM_EXTENSION = "moratorium_extension", "Moratorium extended"
    BAN = "ban", "Ban"
    CONTRACT_CANCELLED = "contract_cancelled", "Contract cancelled"
    CONTRACT_APPROVED = "contract_approved", "Contract approved"
    PROGRAM_ENDED = "program_ended", "Program ended"
    OVERSIGHT_RULE = "oversight_rule", "Oversight rule"
    OTHER = "other", "Other"


class TechnologyQuerySet(models.QuerySet["Technology"]):
    def public(self) -> TechnologyQuerySet:
        """Technologies of a public partnership or a public policy event."""
        return self.filter(
            Exists(Partnership.objects.public().filter(technology=OuterRef("pk")))
            | Exists(PolicyEvent.objects.public().filter(technology=OuterRef("pk")))
        )


class Technology(TimeStampedModel):
    name = models.CharField(
        max_length=100, unique=True, help_text="Name of the technology, e.g. 'Face recognition'."
    )
    slug = models.SlugField(
        max_length=100, unique=True, help_text="Stable identifier used in URLs and filters."
    )
    category = models.CharField(
        max_length=40,
        choices=TechnologyCategory.choices,
        help_text="The kind of surveillance technology.",
    )
    description = models.TextField(
        blank=True, help_text="What the technology does, in plain words, for a reader."
    )

    objects: ClassVar[TechnologyQuerySet] = TechnologyQuerySet.as_manager()  # type: ignore[assignment]
    history = HistoricalRecords()

    class Meta:
        ordering = ["name"]
        verbose_name_plural = "technologies"

    def __str__(self) -> str:
        return self.name

    def save(self, *args: object, **kwargs: object) -> None:
        if not self.slug:
            self.slug = slugify(self.name)
        super().save(*args, **kwargs)  # type: ignore[arg-type]

    def get_absolute_url(self) -> str:
        return reverse("web:technology", kwargs={"slug": self.slug})


class VendorQuerySet(models.QuerySet["Vendor"]):
    def public(self) -> VendorQuerySet:
        """Vendors of a public partnership or a public policy event (a vendor known only from
        its moratorium is public too)."""
        return self.filter(
            Exists(Partnership.objects.public().filter(vendor=OuterRef("pk")))
            | Exists(PolicyEvent.objects.public().filter(vendor=OuterRef("pk")))
        )


class Vendor(TimeStampedModel):
    name = models.CharField(max_length=150, unique=True, help_text="Company name, e.g. 'Ring'.")
    slug = models.SlugField(
        max_length=150, unique=True, help_text="Stable identifier used in URLs and filters."
    )
    website = models.URLField(
        blank=True,
        max_length=500,
        validators=[http_url_validator],
        help_text="The company's own website.",
    )
    parent = models.ForeignKey(
        "self",
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="subsidiaries",
        help_text="The company that owns this one, e.g. Amazon for Ring.",
    )

    objects: ClassVar[VendorQuerySet] = VendorQuerySet.as_manager()  # type: ignore[assignment]
    history = HistoricalRecords()

    class Meta:
        ordering = ["name"]

    def __str__(self) -> str:
        return self.name

    def save(self, *args: object, **kwargs: object) -> None:
        if not self.slug:
            self.slug = slugify(self.name)
        super().save(*args, **kwargs)  # type: ignore[arg-type]


class AliasSource(models.TextChoices):
    MERGE = "merge", "Kept from a merged duplicate"
    MODERATOR = "moderator", "Added by a moderator"
    DIRECTORY = "directory", "Another name in an agency directory"
    IMPORT = "import", "Named so by an import's source"


def vendor_name_key(name: str) -> str:
    """'  Predpol ' and 'PredPol' are one vendor: letters and digits only."""
    return "".join(ch for ch in normalize_name(name) if ch.isalnum())


class AliasBase(TimeStampedModel):
    """Another name a record is known by: what agency and vendor aliases share. Each concrete
    alias adds the record it names and its `name_key`, and says how names are keyed
    (`key_of`): agencies as the matcher keys their names, vendors by letters and digits."""

    name = models.CharField(max_length=200, help_text="The other name, as it was written.")
    source = models.CharField(
        max_length=20,
        choices=AliasSource.choices,
        default=AliasSource.MODERATOR,
        help_text="Where the name comes from.",
    )
    note = models.CharField(
        max_length=200,
        blank=True,
        help_text="Who or what gave the name (a merge, a file, a moderator's reason).",
    )

    class Meta:
        abstract = True

    name_key: str

    @staticmethod
    def key_of(name: str) -> str:
        raise NotImplementedError

    def clean(self) -> None:
        self.name = clean_text(self.name)
        self.name_key = self.key_of(self.name)
        if not self.name_key:
            raise ValidationError({"name": "An alias needs a name with letters or digits."})

    def save(self, *args: object, **kwargs: object) -> None:
        self.name_key = self.key_of(self.name)
        super().save(*args, **kwargs)  # type: ignore[arg-type]


class VendorAlias(AliasBase):
    """Another name a vendor is known by ('Flock' for Flock Safety, a misspelling a source
    uses): the matcher finds the vendor under it and the search box lists it. One name means
    one vendor."""

    vendor = models.ForeignKey(
        Vendor,
        on_delete=models.CASCADE,
        related_name="aliases",
        help_text="The vendor this name means.",
    )
    name = models.CharField(max_length=150, help_text="The other name, as it was written.")
    name_key = models.CharField(
        max_length=150,
        unique=True,
        editable=False,
        help_text="Letters and digits of the name, lower case: what the matcher compares.",
    )

    history = HistoricalRecords()

    class Meta:
        ordering = ["vendor_id", "name"]
        verbose_name_plural = "vendor aliases"

    def __str__(self) -> str:
        return f"{self.name} (for {self.vendor_id})"

    @staticmethod
    def key_of(name: str) -> str:
        return vendor_name_key(name)


ori_validator = RegexValidator(
    r"^[A-Z]{2}[A-Z0-9]{5}([A-Z0-9]{2})?$",
    "An ORI is two letters (the state) and five or seven letters or digits, e.g. 'MI5086000'.",
)


class AgencyQuerySet(models.QuerySet["Agency"]):
    def public(self) -> AgencyQuerySet:
        """Agencies with a public partnership: what the map counts."""
        return self.filter(Exists(Partnership.objects.public().filter(agency=OuterRef("pk"))))

    def listed(self, *, also: Q | Exists | None = None) -> AgencyQuerySet:
        """Agencies a reader may look up: those with a public partnership, and those of the
        directory of US agencies (an ORI), with or without one; and those `also` admits (the
        research app adds agencies with a published check: records cannot see checks). An
        agency that only a contributor's tip named stays out until a moderator approves a
        sourced partnership."""
        listed = ~Q(ori="") | Exists(Partnership.objects.public().filter(agency=OuterRef("pk")))
        return self.filter(listed if also is None else listed | also)

    def with_ori(self, ori: str) -> AgencyQuerySet:
        """The agencies an ORI means, written in either length: an ORI9 is its agency's ORI7
        and two more characters (the matcher's rule, `matching._same_ori`)."""
        ori = ori.strip().upper()
        if len(ori) == 9:
            return self.filter(Q(ori=ori) | Q(ori=ori[:7]))
        if len(ori) == 7:
            return self.filter(ori__startswith=ori)
        return self.filter(ori=ori) if ori else self.none()


class Agency(TimeStampedModel):
    name = models.CharField(
        max_length=200, help_text="The agency's name, e.g. 'Warren Police Department'."
    )
    normalized_name = models.CharField(
        max_length=200,
        blank=True,
        editable=False,
        db_index=True,
        help_text="Lower-case name without punctuation or accents; unique within a state.",
    )
    name_key = models.CharField(
        max_length=200,
        blank=True,
        editable=False,
        db_index=True,
        help_text=(
            "The name as the matcher compares it: 'Warren PD' and 'City of Warren Police' are "
            "'warren police'. Several agencies of one state may share it (the matcher then "
            "asks the city or county, and otherwise leaves the choice to a moderator)."
        ),
    )
    kind = models.CharField(
        max_length=20,
        choices=AgencyKind.choices,
        default=AgencyKind.POLICE,
        help_text="What sort of agency this is.",
    )
    state = models.ForeignKey(
        State,
        on_delete=models.PROTECT,
        related_name="agencies",
        help_text="USPS code of the state or territory the agency belongs to.",
    )
    counties = models.ManyToManyField(
        County,
        blank=True,
        related_name="agencies",
        help_text="Five-digit FIPS codes of the counties the agency serves.",
    )
    city = models.CharField(
        max_length=100, blank=True, help_text="City or town the agency is based in, if any."
    )
    latitude = models.FloatField(
        null=True,
        blank=True,
        validators=[MinValueValidator(-90), MaxValueValidator(90)],
        help_text="Latitude of the agency's headquarters (WGS84), if known.",
    )
    longitude = models.FloatField(
        null=True,
        blank=True,
        validators=[MinValueValidator(-180), MaxValueValidator(180)],
        help_text="Longitude of the agency's headquarters (WGS84), if known.",
    )
    ori = models.CharField(
        "ORI",
        max_length=9,
        blank=True,
        validators=[ori_validator],
        help_text="FBI Originating Agency Identifier (7 or 9 characters), if known.",
    )
    attribution = _attribution_field()
    provenance = _provenance_field()

    objects: ClassVar[AgencyQuerySet] = AgencyQuerySet.as_manager()  # type: ignore[assignment]
    history = HistoricalRecords(m2m_fields=[counties])

    class Meta:
        ordering = ["state_id", "name"]
        verbose_name_plural = "agencies"
        indexes = [
            # The API sorts partnerships by agency name page by page, walking this index.
            models.Index(fields=["name", "id"], name="agency_name_id_idx"),
            # Filters by state and kind of agency ("sheriffs in Texas") read only this index.
            models.Index(fields=["state", "kind"], name="agency_state_kind_idx"),
            # The table and technology pages list partnerships by state, then agency name,
            # page by page (keyset: records.sorting.BY_PLACE), walking this index.
            models.Index(fields=["state", "name", "id"], name="agency_state_name_id_idx"),
        ]
        constraints = [
            models.UniqueConstraint(
                fields=["normalized_name", "state"], name="agency_unique_name_per_state"
            ),
            models.CheckConstraint(
                condition=Q(latitude__isnull=True, longitude__isnull=True)
                | Q(
                    # Explicit: a CHECK passes when it evaluates to NULL.
                    latitude__isnull=False,
                    longitude__isnull=False,
                    latitude__gte=-90,
                    latitude__lte=90,
                    longitude__gte=-180,
                    longitude__lte=180,
                ),
                name="agency_coordinates_both_and_in_range",
            ),
            models.CheckConstraint(
                condition=~Q(normalized_name=""), name="agency_normalized_name_not_empty"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.name} ({self.state_id})"

    def get_absolute_url(self) -> str:
        return reverse("web:agency", kwargs={"pk": self.pk})

    def clean(self) -> None:
        self.name = clean_text(self.name)
        self.city = clean_text(self.city)
        self.normalized_name = normalize_name(self.name)
        self.name_key = agency_name_key(self.name)
        if not self.normalized_name:
            raise ValidationError({"name": "An agency needs a name with letters or digits."})
        if (self.latitude is None) != (self.longitude is None):
            raise ValidationError("Give both latitude and longitude, or neither.")

    def validate_unique(self, exclude: Collection[str] | None = None) -> None:
        # The database refuses duplicates too; this says so in words, in the admin and the form.
        # Here rather than in clean(): a bulk writer that knows the name is new validates
        # everything else (full_clean(validate_unique=False)) without this query.
        super().validate_unique(exclude=exclude)
        if self.state_id:
            duplicate = (
                Agency.objects.filter(normalized_name=self.normalized_name, state_id=self.state_id)
                .exclude(pk=self.pk)
                .first()
            )
            if duplicate is not None:
                raise ValidationError(
                    {"name": f"{duplicate.name} is already recorded in {self.state_id}."}
                )

    def save(self, *args: object, **kwargs: object) -> None:
        self.normalized_name = normalize_name(self.name)
        self.name_key = agency_name_key(self.name)
        super().save(*args, **kwargs)  # type: ignore[arg-type]


@receiver(pre_save, sender=Agency)
def _agency_name_key(sender: type[Agency], instance: Agency, **kwargs: Any) -> None:
    """Every save keys the name, raw ones too (loaddata's starter records): the matcher finds
    agencies by it."""
    instance.name_key = agency_name_key(instance.name)


class AgencyAlias(AliasBase):
    """Another name an agency is known by ('New York Police Department' for the New York City
    Police Department): the matcher finds the agency under it, within the agency's state, and
    the search box lists it."""

    agency = models.ForeignKey(
        Agency,
        on_delete=models.CASCADE,
        related_name="aliases",
        help_text="The agency this name means.",
    )
    name_key = models.CharField(
        max_length=200,
        editable=False,
        db_index=True,
        help_text="The name as the matcher compares it (see Agency.name_key).",
    )

    history = HistoricalRecords()

    class Meta:
        ordering = ["agency_id", "name"]
        verbose_name_plural = "agency aliases"
        constraints = [
            models.UniqueConstraint(
                fields=["agency", "name_key"], name="agency_alias_unique_per_agency"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.name} (for {self.agency_id})"

    @staticmethod
    def key_of(name: str) -> str:
        return agency_name_key(name)


class SourceQuerySet(models.QuerySet["Source"]):
    def public(self) -> SourceQuerySet:
        """Sources cited by something public."""
        return self.filter(
            Q(Exists(Partnership.objects.public().filter(sources=OuterRef("pk"))))
            | Q(Exists(PolicyEvent.objects.public().filter(sources=OuterRef("pk"))))
        )


class Source(TimeStampedModel):
    # NULL, not "", for a source with no address (a printed article): addresses stay unique.
    url = HttpURLField(
        max_length=2000,
        unique=True,
        null=True,
        blank=True,
        validators=[http_url_validator],
        help_text="Where the source can be read (http or https only); empty for print sources.",
    )
    title = models.CharField(
        max_length=500, blank=True, help_text="Headline or title of the document."
    )
    publisher = models.CharField(
        max_length=200,
        blank=True,
        help_text="Who published it: a newspaper, an agency, a vendor, a public records portal.",
    )
    published_date = models.DateField(
        null=True,
        blank=True,
        help_text="When it was published (the first day of the period for a year or month).",
    )
    published_precision = models.CharField(
        max_length=5,
        choices=DatePrecision.choices,
        blank=True,
        help_text="Whether the publication date is known to the day, the month or the year.",
    )
    archive_url = HttpURLField(
        max_length=2000,
        blank=True,
        validators=[http_url_validator],
        help_text="An archived copy (e.g. the Wayback Machine) in case the original disappears.",
    )
    accessed_date = models.DateField(
        null=True, blank=True, help_text="When the source was last read and checked."
    )
    notes = models.TextField(blank=True, help_text="What the source shows, or caveats about it.")
    attribution = _attribution_field()
    provenance = _provenance_field()

    objects: ClassVar[SourceQuerySet] = SourceQuerySet.as_manager()  # type: ignore[assignment]
    history = HistoricalRecords()

    class Meta:
        ordering = ["-published_date", "title"]
        constraints = [
            models.CheckConstraint(
                condition=Q(url__isnull=True)
                | Q(url__startswith="http://")
                | Q(url__startswith="https://"),
                name="source_url_is_http",
            ),
            models.CheckConstraint(
                condition=Q(url__isnull=False) | ~Q(title=""),
                name="source_has_url_or_title",
                violation_error_message="A source needs a web address or a title.",
            ),
            models.CheckConstraint(
                condition=Q(archive_url="")
                | Q(archive_url__startswith="http://")
                | Q(archive_url__startswith="https://"),
                name="source_archive_url_is_http",
            ),
            models.CheckConstraint(
                condition=Q(published_date__isnull=True, published_precision="")
                | (Q(published_date__isnull=False) & ~Q(published_precision="")),
                name="source_published_precision_with_date",
            ),
        ]

    def __str__(self) -> str:
        return self.title or self.url or f"Source {self.pk}"

    def clean(self) -> None:
        self.url = (self.url or "").strip() or None
        self.title = clean_text(self.title)
        self.publisher = clean_text(self.publisher)
        if self.url is None and not self.title:
            raise ValidationError({"url": "A source needs a web address or a title."})

    @property
    def published(self) -> PartialDate | None:
        return PartialDate.from_stored(self.published_date, self.published_precision)


class PartnershipQuerySet(models.QuerySet["Partnership"]):
    def public(self) -> PartnershipQuerySet:
        """What readers, the API and the exports may see: partnerships that cite a source."""
        return self.filter(
            Exists(Partnership.sources.through.objects.filter(partnership_id=OuterRef("pk")))
        )


class Partnership(PartialPeriod, TimeStampedModel):
    agency = models.ForeignKey(
        Agency,
        on_delete=models.PROTECT,
        related_name="partnerships",
        help_text="The law-enforcement agency.",
    )
    technology = models.ForeignKey(
        Technology,
        on_delete=models.PROTECT,
        related_name="partnerships",
        help_text="The surveillance technology the agency uses or agreed to use.",
    )
    vendor = models.ForeignKey(
        Vendor,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="partnerships",
        help_text="The company that supplies it, where known (the first a source names).",
    )
    other_vendors = models.ManyToManyField(
        Vendor,
        blank=True,
        related_name="partnerships_also_supplied",
        help_text=(
            "Further companies the sources name for the same partnership (a second supplier, "
            "a reseller); the vendor filter finds the partnership under each."
        ),
    )
    product = models.CharField(
        max_length=150,
        blank=True,
        help_text="Product or programme name, e.g. 'Rekognition', 'Spot', 'Neighbors Portal'.",
    )
    status = models.CharField(
        max_length=20,
        choices=PartnershipStatus.choices,
        default=PartnershipStatus.ACTIVE,
        db_index=True,
        help_text="Where the partnership stands, as of its latest source.",
    )
    status_as_of_date = models.DateField(
        null=True,
        blank=True,
        help_text=(
            "When a source last confirmed the status: the date of its newest source, or of the "
            "list it came from (the first day of the year or month if only that is known)."
        ),
    )
    status_as_of_precision = models.CharField(
        max_length=5,
        choices=DatePrecision.choices,
        blank=True,
        help_text="Whether that date is known to the day, the month or the year.",
    )
    start_date = models.DateField(
        null=True,
        blank=True,
        db_index=True,
        help_text="When it began: the first day of the year or month if only that is known.",
    )
    start_precision = models.CharField(
        max_length=5,
        choices=DatePrecision.choices,
        blank=True,
        help_text="Whether the start is known to the day, the month or the year.",
    )
    end_date = models.DateField(
        null=True,
        blank=True,
        db_index=True,
        help_text="When it ended: the last day of the year or month if only that is known.",
    )
    end_precision = models.CharField(
        max_length=5,
        choices=DatePrecision.choices,
        blank=True,
        help_text="Whether the end is known to the day, the month or the year.",
    )
    summary = models.TextField(blank=True, help_text="What the sources say, in survmap's words.")
    sources = models.ManyToManyField(
        Source,
        blank=True,
        related_name="partnerships",
        help_text="The documents that show the partnership. Without one it is never public.",
    )
    atlas_id = models.CharField(
        max_length=20,
        null=True,
        blank=True,
        unique=True,
        help_text="Row id in the EFF Atlas of Surveillance (AOSNUMBER), for imported records.",
    )
    attribution = _attribution_field()
    provenance = _provenance_field()

    objects: ClassVar[PartnershipQuerySet] = PartnershipQuerySet.as_manager()  # type: ignore[assignment]
    history = HistoricalRecords(m2m_fields=[sources, other_vendors])

    class Meta:
        ordering = ["agency__state_id", "agency__name", "technology__name"]
        constraints = [
            models.CheckConstraint(
                condition=Q(start_date__isnull=True)
                | Q(end_date__isnull=True)
                | Q(end_date__gte=models.F("start_date")),
                name="partnership_end_not_before_start",
                violation_error_message="The end date is before the start date.",
            ),
            models.CheckConstraint(
                condition=Q(start_date__isnull=True, start_precision="")
                | (Q(start_date__isnull=False) & ~Q(start_precision="")),
                name="partnership_start_precision_with_date",
            ),
            models.CheckConstraint(
                condition=Q(end_date__isnull=True, end_precision="")
                | (Q(end_date__isnull=False) & ~Q(end_precision="")),
                name="partnership_end_precision_with_date",
            ),
            models.CheckConstraint(
                condition=Q(status_as_of_date__isnull=True, status_as_of_precision="")
                | (Q(status_as_of_date__isnull=False) & ~Q(status_as_of_precision="")),
                name="partnership_status_as_of_precision_with_date",
            ),
        ]
        indexes = [
            models.Index(fields=["technology", "status"]),
            # An agency's partnerships with their dates from the index alone: filters by place
            # (state, county, kind of agency) sorted or filtered by date read no table rows.
            models.Index(
                fields=["agency", "start_date", "end_date"], name="partnership_agency_dates_idx"
            ),
        ]

    def __str__(self) -> str:
        vendor = f" / {self.vendor}" if self.vendor_id else ""
        return f"{self.agency.name}: {self.technology}{vendor}"

    def get_absolute_url(self) -> str:
        return reverse("web:agency", kwargs={"pk": self.agency_id}) + f"#partnership-{self.pk}"

    @property
    def status_as_of(self) -> PartialDate | None:
        return PartialDate.from_stored(self.status_as_of_date, self.status_as_of_precision)


class PolicyEventQuerySet(models.QuerySet["PolicyEvent"]):
    def public(self) -> PolicyEventQuerySet:
        return self.filter(
            Exists(PolicyEvent.sources.through.objects.filter(policyevent_id=OuterRef("pk")))
        )


class PolicyEvent(TimeStampedModel):
    title = models.CharField(
        max_length=300, help_text="A one-line description, e.g. 'Amazon pauses police use of …'."
    )
    kind = models.CharField(
        max_length=30, choices=PolicyEventKind.choices, help_text="What sort of decision it was."
    )
    date = models.DateField(help_text="When it was announced or took effect.")
    date_precision = models.CharField(
        max_length=5,
        choices=DatePrecision.choices,
        default=DatePrecision.DAY,
        help_text="Whether the date is known to the day, the month or the year.",
    )
    actor = models.CharField(
        max_length=200,
        help_text="Who decided: a company, a city council, a legislature, a court.",
    )
    vendor = models.ForeignKey(
        Vendor,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="policy_events",
        help_text="The vendor that decided, or whose product the decision concerns.",
    )
    technology = models.ForeignKey(
        Technology,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="policy_events",
        help_text="The technology the decision concerns.",
    )
    state = models.ForeignKey(
        State,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="policy_events",
        help_text="The state whose jurisdiction decided, for a state or local decision.",
    )
    county = models.ForeignKey(
        County,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="policy_events",
        help_text="The county whose jurisdiction decided, for a local decision.",
    )
    summary = models.TextField(blank=True, help_text="What was decided, in survmap's words.")
    reported_count = models.PositiveIntegerField(
        null=True,
        blank=True,
        help_text=(
            "A count the event reports, such as the number of agencies in a vendor's police "
            "programme that day (Ring's 405 partners in August 2019); the technology's page "
            "shows these as a dated series."
        ),
    )
    partnerships = models.ManyToManyField(
        Partnership,
        blank=True,
        related_name="policy_events",
        help_text="Partnerships this decision changed.",
    )
    sources = models.ManyToManyField(
        Source,
        blank=True,
        related_name="policy_events",
        help_text="The documents that report the decision. Without one it is never public.",
    )

    objects: ClassVar[PolicyEventQuerySet] = PolicyEventQuerySet.as_manager()  # type: ignore[assignment]
    history = HistoricalRecords(m2m_fields=[partnerships, sources])

    class Meta:
        ordering = ["-date", "title"]

    def __str__(self) -> str:
        return self.title

    def get_absolute_url(self) -> str:
        return reverse("web:policy_event", kwargs={"pk": self.pk})

    @property
    def when(self) -> PartialDate | None:
        return PartialDate.from_stored(self.date, self.date_precision)


class ConflictStatus(models.TextChoices):
    OPEN = "open", "Open"
    KEPT = "kept", "Kept the person's value"
    TAKEN = "taken", "Took the source's value"


class Conflict(TimeStampedModel):
    """An import's value that was not written because a person had changed the field since that
    source last wrote it. Nothing is chosen silently: a moderator settles each one."""

    record_model = models.CharField(
        max_length=40, help_text="The kind of record: 'records.partnership', 'records.agency'..."
    )
    record_id = models.PositiveIntegerField(help_text="The record's id.")
    field = models.CharField(max_length=60, help_text="The field (or link) in conflict.")
    ours = models.TextField(blank=True, help_text="The value a person set, which was kept.")
    theirs = models.TextField(blank=True, help_text="The value the import's source gives.")
    set_by = models.CharField(
        max_length=200, help_text="Who set the kept value, and when (from the provenance)."
    )
    source = models.CharField(
        max_length=200, help_text="The import source ('atlas', a file name) that disagrees."
    )
    label = models.CharField(max_length=200, blank=True, help_text="The file imported.")
    line = models.PositiveIntegerField(
        null=True, blank=True, help_text="The line of the file that gave the value."
    )
    status = models.CharField(
        max_length=10,
        choices=ConflictStatus.choices,
        default=ConflictStatus.OPEN,
        db_index=True,
        help_text="Open until a moderator keeps the person's value or takes the source's.",
    )
    settled_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        help_text="The moderator who settled it.",
    )
    settled_at = models.DateTimeField(null=True, blank=True, help_text="When it was settled.")

    class Meta:
        ordering = ["-created_at", "pk"]
        indexes = [models.Index(fields=["record_model", "record_id"], name="conflict_record_idx")]

    def __str__(self) -> str:
        return f"{self.record_model} {self.record_id} {self.field}: {self.ours!r} / {self.theirs!r}"


class MergeKind(models.TextChoices):
    AGENCY = "agency", "Agencies"
    VENDOR = "vendor", "Vendors"


class RecordMerge(TimeStampedModel):
    """Two records found to be one (two spellings of an agency, a vendor under two names),
    merged: who merged which into which, when and why, and what the merge did, step by step,
    so that it can be undone exactly (records/writing/merging.py). The removed record's
    history ends with its deletion under the merge's reason; the kept one keeps its own."""

    kind = models.CharField(
        max_length=10, choices=MergeKind.choices, help_text="Whether agencies or vendors."
    )
    kept_id = models.PositiveIntegerField(help_text="The id of the record that stays.")
    kept_name = models.CharField(max_length=200, help_text="Its name at the merge.")
    removed_id = models.PositiveIntegerField(
        help_text="The id of the record merged into it (deleted; an undo brings it back)."
    )
    removed_name = models.CharField(
        max_length=200, help_text="Its name, kept as an alias of the record that stays."
    )
    reason = models.CharField(max_length=200, help_text="Why the two are one.")
    merged_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        help_text="The moderator who merged them (empty for survmap's shipped merges).",
    )
    merged_by_label = models.CharField(
        max_length=200, help_text="Who merged them, in words (a moderator, a command)."
    )
    summary = models.JSONField(
        default=dict,
        blank=True,
        help_text="What moved, counted by kind of record, and what was noted for a moderator.",
    )
    state = models.JSONField(
        default=dict,
        blank=True,
        editable=False,
        help_text=(
            "The removed record as it was, and every step of the merge in order (rows moved, "
            "links moved, partnerships combined, aliases added): what an undo takes back."
        ),
    )
    undone_at = models.DateTimeField(
        null=True, blank=True, help_text="When the merge was undone, if it was."
    )
    undone_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        help_text="The moderator who undid it.",
    )
    undo_reason = models.CharField(
        max_length=200, blank=True, help_text="Why the merge was undone."
    )

    class Meta:
        ordering = ["-created_at", "-pk"]
        indexes = [models.Index(fields=["kind", "kept_id"], name="merge_kind_kept_idx")]

    def __str__(self) -> str:
        return f"{self.removed_name} into {self.kept_name}"

    @property
    def is_undone(self) -> bool:
        return self.undone_at is not None
