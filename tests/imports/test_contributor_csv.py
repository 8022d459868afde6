"""A contributor's own spreadsheet: the columns a person knows, in their order, imported through
the same parser and write path as our export."""

from __future__ import annotations

import pytest
from django.http import QueryDict

from survmap.common.dates import PartialDate
from survmap.imports.readers import FileRefused, read_survmap_csv
from survmap.imports.survmap_csv import CsvImporter
from survmap.records.filters import PartnershipFilterSet
from survmap.records.models import Agency, AgencyKind, Partnership, PartnershipStatus

pytestmark = pytest.mark.django_db

SHEET = """\
Agency,Kind,City,State,County name,Technology,Vendor,Status,End date,Summary,Source address,Publisher,Archived copy
Pinal County Sheriff's Office,Sheriff,Florence,AZ,Pinal County,Face recognition,Clearview AI,Active,,Uses Clearview.,https://www.example.org/pinal-clearview,Arizona Mirror,
Morgan City Police Department,Police,,LA,St. Mary Parish,Drones,DJI,in use,,Drone programme.,www.example.org/morgan-city-drones,The Daily Review,
Brookline Police Department,Police,Brookline,Massachusetts,,Face recognition,,Voted down,,The council voted the proposal down.,https://granicus_production_attachments.s3.amazonaws.com/brookline/agenda.pdf,Town of Brookline,https://web.archive.org/web/2020/https://brookline.example/agenda
Franklin Police Department,Police,Franklin,NC,,Automated license plate readers,Flock Safety,Ended,2016-17,Contract ended.,https://www.example.org/franklin-flock,Macon News,
Elgin Police Department,,Elgin,IL,,Gunshot detection,ShotSpotter,maybe,43146,Pilot.,ftp://files.example.org/elgin.pdf,,
,Police,Nowhere,KS,,Drones,DJI,Active,,No agency named.,https://www.example.org/nowhere,,
"""  # noqa: E501


def import_sheet(text: str = SHEET) -> tuple[CsvImporter, dict[str, Partnership]]:
    importer = CsvImporter(read_survmap_csv(text.encode()))
    importer.run()
    found = {p.agency.name: p for p in Partnership.objects.select_related("agency")}
    return importer, found


def test_a_contributor_spreadsheet_imports_with_its_own_column_names():
    importer, found = import_sheet()
    report = importer.report
    assert report.rows_read == 6
    assert report.rejected == {"no agency": 1}
    assert [line for line, _ in report.errors] == [7]
    assert set(found) == {
        "Pinal County Sheriff's Office",
        "Morgan City Police Department",
        "Brookline Police Department",
        "Franklin Police Department",
        "Elgin Police Department",
    }
    pinal = found["Pinal County Sheriff's Office"]
    assert pinal.agency.kind == AgencyKind.SHERIFF
    assert [county.fips for county in pinal.agency.counties.all()] == ["04021"]
    assert pinal.status == PartnershipStatus.ACTIVE
    assert pinal.vendor is not None and pinal.vendor.name == "Clearview AI"
    assert [source.publisher for source in pinal.sources.all()] == ["Arizona Mirror"]


def test_county_names_towns_and_full_state_names_are_placed_in_census_counties():
    _, found = import_sheet()
    morgan = found["Morgan City Police Department"].agency
    assert [county.fips for county in morgan.counties.all()] == ["22101"]  # St. Mary Parish
    brookline = found["Brookline Police Department"].agency
    assert brookline.state_id == "MA"  # 'Massachusetts'
    assert [county.fips for county in brookline.counties.all()] == ["25021"]  # Norfolk
    elgin = found["Elgin Police Department"].agency
    assert [county.fips for county in elgin.counties.all()] == ["17089"]  # Kane


def test_an_ambiguous_place_is_left_unplaced_with_a_warning_never_guessed():
    importer, found = import_sheet()
    assert not found["Franklin Police Department"].agency.counties.exists()
    (warning,) = [w for w in importer.report.warnings if w.column == "city"]
    assert warning.line == 5 and warning.value == "Franklin"
    assert warning.reason.startswith("ambiguous") and "moderator" in warning.reason


def test_statuses_as_people_write_them_and_what_cannot_be_read_is_dropped_with_a_warning():
    importer, found = import_sheet()
    assert found["Brookline Police Department"].status == PartnershipStatus.REJECTED
    assert found["Morgan City Police Department"].status == PartnershipStatus.ACTIVE  # 'in use'
    assert found["Franklin Police Department"].status == PartnershipStatus.ENDED
    assert found["Franklin Police Department"].end == PartialDate(2016)  # '2016-17'
    elgin = found["Elgin Police Department"]
    assert elgin.status == PartnershipStatus.NOT_REPORTED  # 'maybe'
    assert not elgin.sources.exists()  # its only link was ftp:, so it is not public yet
    assert elgin not in Partnership.objects.public()
    warned = {(w.line, w.column, w.value) for w in importer.report.warnings}
    assert (6, "status", "maybe") in warned
    assert (6, "source_urls", "ftp://files.example.org/elgin.pdf") in warned
    assert len(importer.report.warned_lines) == 2  # Franklin's place, Elgin's status and link
    summary = importer.report.summary_lines()
    assert (
        "Rows imported whole: 3; imported with warnings: 2; conflicts with people's edits: 0; "
        "refused: 1." in summary
    )


def test_links_are_kept_as_a_browser_opens_them():
    _, found = import_sheet()
    brookline = found["Brookline Police Department"].sources.get()
    assert brookline.url.startswith("https://granicus_production_attachments.s3.amazonaws.com/")
    assert brookline.archive_url.startswith("https://web.archive.org/")
    morgan = found["Morgan City Police Department"].sources.get()
    assert morgan.url == "http://www.example.org/morgan-city-drones"


def test_a_rejected_proposal_is_found_by_its_status():
    _, found = import_sheet()
    filterset = PartnershipFilterSet(
        QueryDict("status=rejected"), queryset=Partnership.objects.all()
    )
    assert list(filterset.qs) == [found["Brookline Police Department"]]


def test_status_as_of_is_the_sheets_column_or_the_newest_source_date():
    sheet = (
        "agency,state,technology,status,source_urls,source_dates,status_as_of\n"
        "Warren Police Department,MI,Drones,active,https://a.example/1,2019-05,\n"
        "Detroit Police Department,MI,Drones,active,https://a.example/2,2019-05,2021-03\n"
    )
    _, found = import_sheet(sheet)
    assert found["Warren Police Department"].status_as_of == PartialDate(2019, 5)
    assert found["Detroit Police Department"].status_as_of == PartialDate(2021, 3)


def test_a_missing_required_column_is_one_clear_error_naming_it():
    header, *rows = SHEET.splitlines()
    without = "\n".join(
        ",".join(cell for i, cell in enumerate(line.split(",")) if i != 5)
        for line in [header, rows[0]]
    )
    with pytest.raises(FileRefused) as refused:
        read_survmap_csv(without.encode())
    assert str(refused.value) == (
        "Not a survmap CSV export: the header lacks the column(s) 'technology'."
    )


def test_two_columns_meaning_the_same_are_refused():
    with pytest.raises(FileRefused, match="several columns mean 'source_urls'"):
        read_survmap_csv(b"agency,state,technology,status,url,source address\n")


def test_importing_the_sheet_again_changes_nothing():
    import_sheet()
    counts = (Agency.objects.count(), Partnership.objects.count())
    again, _ = import_sheet()
    assert (again.report.created, again.report.updated) == (0, 0)
    assert (Agency.objects.count(), Partnership.objects.count()) == counts
