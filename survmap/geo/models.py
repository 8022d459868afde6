"""States, territories and counties as the US Census 2016 cartographic boundary files list them."""

from django.db import models


class State(models.Model):
    code = models.CharField(
        primary_key=True,
        max_length=2,
        help_text="USPS code of the state, district or territory, e.g. 'MI' or 'PR'.",
    )
    fips = models.CharField(
        max_length=2, unique=True, help_text="Two-digit Census FIPS code, e.g. '26'."
    )
    name = models.CharField(max_length=100, help_text="Name, e.g. 'Michigan'.")

    class Meta:
        ordering = ["name"]

    def __str__(self) -> str:
        return self.name


class County(models.Model):
    fips = models.CharField(
        primary_key=True,
        max_length=5,
        help_text="Five-digit Census FIPS code (state and county), e.g. '26099'.",
    )
    state = models.ForeignKey(
        State,
        on_delete=models.PROTECT,
        related_name="counties",
        help_text="The state or territory the county lies in.",
    )
    name = models.CharField(max_length=100, help_text="Census name, e.g. 'Macomb'.")
    full_name = models.CharField(
        max_length=150,
        help_text="Name with its kind, e.g. 'Macomb County', 'Orleans Parish', 'Richmond city'.",
    )

    class Meta:
        ordering = ["state__name", "name"]
        verbose_name_plural = "counties"

    def __str__(self) -> str:
        return f"{self.full_name}, {self.state_id}"
