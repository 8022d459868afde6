"""The abstract base that every survmap table inherits, and the checks every record's text and
dates pass before they are stored."""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

from django.core.exceptions import ValidationError
from django.db import models

from survmap.common.dates import MIN_YEAR
from survmap.common.text import clean_text_value


def clean_model_text(instance: models.Model) -> None:
    """Every text field of `instance` through the one cleaning (survmap.common.text): a
    TextField keeps tabs and line breaks, any other text field is one line."""
    for field in instance._meta.concrete_fields:
        if not isinstance(field, models.CharField | models.TextField):
            continue
        value = getattr(instance, field.attname)
        if isinstance(value, str):
            multiline = isinstance(field, models.TextField)
            setattr(instance, field.attname, clean_text_value(value, multiline=multiline))


def date_errors(instance: models.Model, exclude: Iterable[str] = ()) -> dict[str, list[str]]:
    """Dates no page could show sensibly: a year before MIN_YEAR is a typing slip (0202)."""
    errors: dict[str, list[str]] = {}
    for field in instance._meta.concrete_fields:
        if field.name in exclude or not isinstance(field, models.DateField):
            continue
        value = getattr(instance, field.attname)
        if value is not None and hasattr(value, "year") and value.year < MIN_YEAR:
            errors[field.name] = [
                f"The year {value.year:04d} is before {MIN_YEAR}: check it (0202 for 2020?)."
            ]
    return errors


class CleanedTextModel(models.Model):
    """Model validation (full_clean: the admin, the services, the forms' models) cleans every
    text field and refuses impossible years, so every writer that validates gets both."""

    class Meta:
        abstract = True

    def clean_fields(self, exclude: Any = None) -> None:
        clean_model_text(self)
        errors: dict[str, Any] = dict(date_errors(self, exclude or ()))
        try:
            super().clean_fields(exclude=exclude)
        except ValidationError as error:
            for name, messages in error.message_dict.items():
                errors.setdefault(name, []).extend(messages)
        if errors:
            raise ValidationError(errors)


class TimeStampedModel(CleanedTextModel):
    created_at = models.DateTimeField(
        auto_now_add=True, help_text="When this record was first stored in survmap."
    )
    updated_at = models.DateTimeField(
        auto_now=True, help_text="When this record was last changed in survmap."
    )

    class Meta:
        abstract = True
