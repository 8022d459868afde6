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


@pytest.mark.parametrize(
    "value",
    [
        "  =1+1",
        '\u00a0=HYPERLINK("http://x")',
        "\n=1+1",
        "\r\n@SUM(A1)",
        " \t +cmd|' /C calc'!A0",
        "\u200b=1+1",
        "\u3000-2+3",
    ],
)
def test_a_formula_behind_leading_whitespace_is_neutralised_too(value):
    assert neutralize_cell(value) == "'" + value
    assert restore_cell(neutralize_cell(value)) == value


@pytest.mark.parametrize("value", [" plain words", "\u00a0Warren", " -87.5 ", "a = b"])
def test_leading_whitespace_before_ordinary_text_is_left_alone(value):
    expected = "'" + value if value.lstrip().startswith("-") else value
    assert neutralize_cell(value) == expected
    assert restore_cell(neutralize_cell(value)) == value
