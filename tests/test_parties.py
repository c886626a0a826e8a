"""Telling organisations and persons apart on an e-invoice (studiofund.ledger.parties)."""

from studiofund.ledger.parties import (
    is_resident_id,
    is_uscc,
    looks_like_person,
    normalize_name,
    same_name,
)


def test_uscc_check_character():
    assert is_uscc("91110302MA01NP925M")  # as printed on a public invoice sample
    assert is_uscc("12440305mb2c6170q4")  # lower case and full-width fold
    assert is_uscc("１２４４０３０５ＭＢ２Ｃ６１７０Ｑ４")
    assert not is_uscc("91110302MA01NP925N")  # one character off
    assert not is_uscc("11010519491231002X")


def test_resident_id_check_digit_and_birth_date():
    assert is_resident_id("11010519491231002X")
    assert is_resident_id("440305198805060016")
    assert not is_resident_id("440305198805060017")  # check digit
    assert not is_resident_id("440305198813320016")  # no such date
    assert not is_resident_id("91110302MA01NP925M")


def test_names_compare_across_width_brackets_and_spaces():
    assert same_name("深圳市南山区第一实验学校（集团）", "深圳市南山区第一实验学校(集团)")
    assert same_name("深圳市 南山区第一实验学校【集团】", "深圳市南山区第一实验学校（集团）")
    assert not same_name("深圳市南山区第一实验学校", "深圳市南山区第二实验学校")
    assert not same_name("", "")
    assert normalize_name("ＡＢＣ 学校") == "abc学校"


def test_a_person_as_buyer():
    assert looks_like_person("个人", None)
    assert looks_like_person("张三", "440305198805060016")
    assert looks_like_person("欧阳明华", None)
    assert not looks_like_person("深圳市南山区第一实验学校", None)
    assert not looks_like_person("南山实验学校", "")
    assert not looks_like_person("张三", "91440300MA5FXK8B7F")  # an organisation's code
