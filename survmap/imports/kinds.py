"""The kinds an import run and its notes take (survmap.imports.models), apart from the models so
that the parsers, which read no records, can name them."""

from django.db import models


class ImporterKind(models.TextChoices):
    ATLAS = "atlas", "Atlas of Surveillance export"
    SURVMAP_CSV = "survmap_csv", "survmap CSV (an export or a contributor's spreadsheet)"
    FLOCK = "flock", "Flock transparency portals (The News & Observer's Private Eyes data)"
    DIRECTORY = "directory", "FBI agency directory (Crime Data Explorer)"


class NoteKind(models.TextChoices):
    """What happened at one line of a file, as the import's summary lists it."""

    REFUSED = "refused", "Row refused"
    VALUE_DROPPED = "value_dropped", "Value dropped"
    LINK_DROPPED = "link_dropped", "Link dropped"
    NOT_PLACED = "not_placed", "Place not placed"
    INCOMPLETE = "incomplete", "Row incomplete"
    CONFLICT = "conflict", "Conflict with a person's edit"
    CORRECTED = "corrected", "Read with a correction"
    AGENCY_UNMATCHED = "agency_unmatched", "Agency not decided (ambiguous, or not in the directory)"
