import pytest

from survmap.records.normalize import clean_text, normalize_name


@pytest.mark.parametrize(
    ("a", "b"),
    [
        ("Warren Police Department", "WARREN POLICE DEPT."),
        ("St. Mary's Sheriff's Office", "st marys sheriffs office"),
        ("\u200eCity of Peñasco Police Department\u200e", "city of penasco police department"),
        ("Sherwood Police Department ", "Sherwood  Police  Department"),
    ],
)
def test_spellings_of_one_agency_share_a_key(a, b):
    assert normalize_name(a) == normalize_name(b)


def test_different_agencies_keep_different_keys():
    assert normalize_name("Warren Police Department") != normalize_name("Warren County Sheriff")


def test_clean_text_drops_invisible_marks():
    assert clean_text("\u200eOnondaga County\u200f\ufeff") == "Onondaga County"
