"""The abstract base that every survmap table inherits."""

from django.db import models


class TimeStampedModel(models.Model):
    created_at = models.DateTimeField(
        auto_now_add=True, help_text="When this record was first stored in survmap."
    )
    updated_at = models.DateTimeField(
        auto_now=True, help_text="When this record was last changed in survmap."
    )

    class Meta:
        abstract = True
