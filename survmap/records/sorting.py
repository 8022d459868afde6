"""The orders partnerships are listed and paged in (by keyset), one table for the API and the
pages: each a `SortKey` whose paths end in an id, so that equal values page the same way every
time, and whose leading columns an index can walk (see `Agency.Meta.indexes`)."""

from __future__ import annotations

import datetime as dt

from survmap.common.keyset import ID, SortKey

PARTNERSHIP_SORT_KEYS = {
    "id": ID,
    "agency": SortKey(("agency__name", "agency_id"), (str, int)),
    "state": SortKey(("agency__state_id", "agency_id"), (str, int)),
    "technology": SortKey(("technology__name", "technology_id"), (str, int)),
    "vendor": SortKey(("vendor__name", "vendor_id"), (str, int), nulls=("", 0), null_when="vendor"),
    "status": SortKey(("status",), (str,)),
    "start": SortKey(("start_date",), (dt.date,), nulls=(dt.date.min,)),
    "end": SortKey(("end_date",), (dt.date,), nulls=(dt.date.min,)),
}

# The pages' own order when the reader picks none: by state, then agency name (the table and a
# technology page; a region page's agencies share a state, so its order is "agency").
BY_PLACE = SortKey(("agency__state_id", "agency__name", "agency_id"), (str, str, int))
