"""Dates as contributors write them: the one reader (`survmap.common.dates`), under the names
the submission forms and tests have always used."""

from __future__ import annotations

from survmap.common.dates import ACCEPTED_FORMS, AmbiguousDate
from survmap.common.dates import parse_written_date as parse_contributor_date

__all__ = ["ACCEPTED_FORMS", "AmbiguousDate", "parse_contributor_date"]
