import pytest

from survmap.records.csv_format import COLUMN_HELP, COLUMNS, neutralize_cell, restore_cell


@pytest.mark.parametrize(
    ("value", "safe"),
    [
        ('=HYPERLINK("http://x")', '\'=HYPERLINK("http://x")'),
        ("+cmd|' /C calc'!A0", "'+cmd|' /C calc'!A0"),
        ("-2+3", "'-2+3"),
        ("@SUM(A1)", "'@SUM(A1)"),
        ("\tleading tab", "'\tleading tab"),
        ("\rleading return", "'\rleading return"),
        ("'=already quoted", "''=already quoted"),
        ("-87.6298", "-87.6298"),
        ("+1.5e3", "+1.5e3"),
        ("2020-03-05", "2020-03-05"),
        ("Warren Police Department", "Warren Police Department"),
        ("", ""),
    ],
)
def test_export_neutralises_formula_cells_and_import_restores_them(value, safe):
    assert neutralize_cell(value) == safe
    assert restore_cell(neutralize_cell(value)) == value


def test_every_column_is_documented():
    assert set(COLUMN_HELP) == set(COLUMNS)
