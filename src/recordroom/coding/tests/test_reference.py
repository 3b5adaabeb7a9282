"""A user-supplied CPT file and CMS Table 5 weights: documented format, clear errors, nothing half-saved.
(The rows below are format fixtures written by the test, not CPT content: Recordroom ships no CPT.)"""

from __future__ import annotations

import pytest

from recordroom.audit.models import AuditEvent
from recordroom.coding.errors import CodingError
from recordroom.coding.models import Code, CodeSet, DrgWeight
from recordroom.coding.services import load_cpt, load_weights

pytestmark = pytest.mark.django_db
HEADER = "code,short_title,long_title,effective_from,effective_to\n"


def test_cpt_file_loads(tmp_path):
    path = tmp_path / "cpt.csv"
    path.write_text(HEADER + "1111F,Test short,Test long title,2026-01-01,2026-12-31\n", encoding="utf-8")
    loaded = load_cpt(path)
    assert (loaded.version, loaded.codes) == ("CPT 2026", 1)
    assert Code.objects.get(code_set__system="cpt", code="1111F").billable is True
    assert AuditEvent.objects.filter(event_type="coding.cpt_loaded").exists()


@pytest.mark.parametrize(
    ("content", "needle"),
    [
        ("code;title\n99213;x\n", "header"),
        (HEADER + "1111F,a,b,2026-01-01,2026-12-31\n992,a,b,2026-01-01,2026-12-31\n", "line 3"),
        (HEADER + "1111F,a,b,2026-01-01,2026-12-31\n1111F,a,b,2026-01-01,2026-12-31\n", "twice"),
        (HEADER + "1111F,a,b,2026-13-01,2026-12-31\n", "YYYY-MM-DD"),
    ],
)
def test_wrong_cpt_file_is_refused_whole(tmp_path, content, needle):
    path = tmp_path / "cpt.csv"
    path.write_text(content, encoding="utf-8")
    before = CodeSet.objects.filter(system="cpt").count()
    with pytest.raises(CodingError) as caught:
        load_cpt(path)
    assert needle in caught.value.message
    assert CodeSet.objects.filter(system="cpt").count() == before


def test_binary_file_is_refused(tmp_path):
    path = tmp_path / "cpt.xlsx"
    path.write_bytes(b"PK\x03\x04\xff\xfe\x00binary")
    with pytest.raises(CodingError, match="UTF-8"):
        load_cpt(path)


def test_weights_file_loads_and_bad_rows_are_refused(tmp_path):
    header = "MS-DRG,MS-DRG Title,Weights,Geometric mean LOS,Arithmetic mean LOS\n"
    good = tmp_path / "table5.csv"
    good.write_text(header + "321,Title,2.5000,2.1,2.9\n322,Title,1.9000,1.4,1.8\n", encoding="utf-8")
    assert load_weights(good, grouper_version=430) == 2
    bad = tmp_path / "bad.csv"
    bad.write_text(header + "323,Title,heavy,2.1,2.9\n", encoding="utf-8")
    with pytest.raises(CodingError, match="line 2"):
        load_weights(bad, grouper_version=430)
    assert DrgWeight.objects.filter(grouper_version=430).count() == 2
