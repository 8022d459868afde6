"""The sharing links in a dated release (survmap.api.releases) and the whole-set export: their
CSV, and their part of the data dictionary."""

from __future__ import annotations

import csv
import io
from collections.abc import Callable, Iterable, Iterator
from pathlib import Path

from survmap.platereaders.models import Observation, Organisation, Sharing
from survmap.platereaders.selectors import sharing_public, sharing_row
from survmap.records.csv_format import neutralize_cell

COLUMN_HELP = {
    "sharing_id": "survmap's id of the link.",
    "from_type": "'agency' (a directory agency) or 'organisation' (a named organisation).",
    "from_id": "The id of the agency (or organisation) whose data may be searched.",
    "from_name": "Its name.",
    "from_state": "Its state (USPS code), where known.",
    "from_kind": "Its kind (an agency kind, or an organisation kind such as 'hoa').",
    "to_type": "'agency' or 'organisation': who may search the data.",
    "to_id": "Its id.",
    "to_name": "Its name.",
    "to_state": "Its state (USPS code), where known.",
    "to_kind": "Its kind.",
    "technology": "Technology slug (plate readers).",
    "vendor": "Vendor slug: whose system the data is shared through.",
    "as_of": "When the source last said so (YYYY-MM-DD).",
    "source_url": "The source: the sharing agency's transparency portal.",
    "source_publisher": "Who published the source.",
    "attribution": "Credit owed: The News & Observer for the Private Eyes data.",
}
COLUMNS = tuple(COLUMN_HELP)


def csv_lines(links: Iterable[Sharing]) -> Iterator[str]:
    buffer = io.StringIO()
    writer = csv.writer(buffer, lineterminator="\r\n")

    def flush() -> str:
        text = buffer.getvalue()
        buffer.seek(0)
        buffer.truncate()
        return text

    writer.writerow(COLUMNS)
    yield "\ufeff" + flush()
    for link in links:
        row = sharing_row(link)
        writer.writerow([neutralize_cell(str(row[name])) for name in COLUMNS])
        yield flush()


def write(csv_path: Path, write_file: Callable[[Path, Iterable[str]], None]) -> None:
    write_file(csv_path, csv_lines(sharing_public().order_by("pk").iterator(chunk_size=1000)))


def dictionary(csv_name: str) -> list[str]:
    lines = [
        "",
        f"## {csv_name}",
        "",
        "One row per data-sharing link: an agency's (or organisation's) plate reads that another "
        "may search, as the sharing agency's Flock transparency portal listed them (The News & "
        "Observer's Private Eyes data, MIT: credit 'The News & Observer'). UTF-8 with a "
        "byte-order mark; cells neutralised against spreadsheet formulas.",
        "",
        "| column | meaning |",
        "| --- | --- |",
    ]
    lines += [f"| {name} | {text} |" for name, text in COLUMN_HELP.items()]
    for model in (Sharing, Organisation, Observation):
        lines += ["", f"## Model: {model._meta.verbose_name}", "", "| field | meaning |"]
        lines.append("| --- | --- |")
        for field in model._meta.get_fields():
            help_text = getattr(field, "help_text", "")
            if help_text:
                lines.append(f"| {field.name} | {help_text} |")
    return lines
