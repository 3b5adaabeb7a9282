"""The package readers: the CDC tabular, the MCE master files, the PCS titles (real package data)."""

from __future__ import annotations

from datetime import date

from recordroom.coding.services import sources


def test_tabular_has_headers_codes_and_notes():
    rows = {row.code: row for row in sources.read_icd10cm()}
    assert rows["E11"].kind == "category"
    assert rows["E11"].billable is False
    assert rows["E119"].billable is True
    assert rows["E119"].display == "E11.9"
    assert "type 1 diabetes mellitus (E10.-)" in rows["E11"].notes["excludes1"]
    assert rows["S72"].notes["seventh_characters"]["A"] == "initial encounter for closed fracture"


def test_range_blocks_are_headers_never_codes():
    rows = {row.code: row for row in sources.read_icd10cm()}
    assert rows["C00-C75"].kind == "section"
    assert rows["C00-C75"].billable is False
    assert rows["B10-B10"].display == "B10"  # a one-category block does not collide with category B10
    assert rows["B10"].kind == "category"


def test_seventh_character_expansion_pads_with_placeholder_x():
    rows = {row.code: row for row in sources.read_icd10cm()}
    assert rows["W19XXXA"].billable is True
    assert rows["W19XXXA"].title == "Unspecified fall, initial encounter"
    assert rows["W19"].billable is False  # a leaf under a 7th-character table is not itself reportable


def test_mce_masters_give_validity_dates():
    cm, pcs = sources.read_mce_masters()
    fy2026 = date(2026, 3, 5)
    assert sum(1 for spans in cm.values() if any(a <= fy2026 <= b for a, b in spans)) == 74719
    assert any(first == date(2026, 4, 1) for first, _last in pcs["02HM3JZ"])


def test_pcs_titles():
    titles = sources.read_pcs_titles()
    assert (
        titles["0SR9019"][1]
        == "Replacement of Right Hip Joint with Metal Synthetic Substitute, Cemented, Open Approach"
    )
