"""Reading FHIR R4 input files: transaction/batch/collection bundles (``.json``) and bulk-data NDJSON
(``.ndjson``, one resource per line; HL7 FHIR Bulk Data Access IG 2.0, "Output file format").

Each resource comes out with where it was (``file entry N`` or ``file line N``) so every error names its
place, and with the keys other resources use to point at it: a bundle entry's ``fullUrl`` (``urn:uuid:...``
in Synthea's bundles) and ``Type/id`` (bulk data references). Nothing here touches the database, so the
same reader serves the import command now and the FHIR API later.
"""

from __future__ import annotations

import json
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from recordroom.interop.errors import InteropError, InteropErrorCode

BUNDLE_TYPES = {"transaction", "batch", "collection", "searchset", "document"}
MAX_FILE_BYTES = 512 * 1024 * 1024
MAX_REPORTED_LINES = 20
# A bulk export's own log (the SMART reference exporter writes ``log.ndjson``: export events, not resources);
# skipped when a folder is imported, refused as a bad file when named.
EXPORT_LOGS = {"log.ndjson"}


@dataclass(frozen=True)
class Entry:
    resource: dict[str, Any]
    where: str
    full_url: str = ""

    @property
    def type(self) -> str:
        return str(self.resource.get("resourceType", ""))

    @property
    def id(self) -> str:
        return str(self.resource.get("id") or "")

    def reference_keys(self) -> list[str]:
        """The reference strings that name this resource."""
        keys = [self.full_url] if self.full_url else []
        if self.id:
            keys.append(f"{self.type}/{self.id}")
        return keys


@dataclass
class SourceFile:
    """One input file, read: its entries (all-or-nothing unit) and its kind."""

    path: Path
    kind: str  # "bundle" | "ndjson"
    entries: list[Entry] = field(default_factory=list)
    bundle_type: str = ""

    @property
    def name(self) -> str:
        return self.path.name


def find_files(paths: list[Path]) -> list[Path]:
    """The ``.json`` and ``.ndjson`` files named or found (recursively) in the folders named, in name order.
    A path that does not exist is an error naming it."""
    found: list[Path] = []
    for path in paths:
        if path.is_dir():
            found.extend(
                sorted(
                    p
                    for p in path.rglob("*")
                    if p.is_file() and p.suffix in {".json", ".ndjson"} and p.name not in EXPORT_LOGS
                )
            )
        elif path.is_file():
            found.append(path)
        else:
            raise InteropError(InteropErrorCode.NOT_FOUND, "no such file or folder", where=str(path))
    return found


def _json_object(text: str, where: str) -> dict[str, Any]:
    try:
        value = json.loads(text)
    except json.JSONDecodeError as exc:
        raise InteropError(
            InteropErrorCode.NOT_JSON, f"not valid JSON (line {exc.lineno}, column {exc.colno})", where=where
        ) from None
    if not isinstance(value, dict):
        raise InteropError(InteropErrorCode.NOT_JSON, "a FHIR resource is a JSON object", where=where)
    return value


def read_file(path: Path) -> SourceFile:
    """Read one file; an unreadable, non-JSON or non-bundle file raises :class:`InteropError`."""
    try:
        size = path.stat().st_size
        if size > MAX_FILE_BYTES:
            raise InteropError(InteropErrorCode.INVALID_INPUT, "larger than 512 MiB; split it", where=path.name)
        raw = path.read_bytes()
    except OSError as exc:
        raise InteropError(InteropErrorCode.NOT_FOUND, f"cannot be read ({exc.strerror})", where=path.name) from None
    try:
        text = raw.decode("utf-8-sig")
    except UnicodeDecodeError:
        raise InteropError(InteropErrorCode.NOT_JSON, "not UTF-8 text", where=path.name) from None
    if path.suffix == ".ndjson":
        return _read_ndjson(path, text)
    return _read_bundle(path, text)


def _read_bundle(path: Path, text: str) -> SourceFile:
    bundle = _json_object(text, path.name)
    if bundle.get("resourceType") != "Bundle":
        raise InteropError(InteropErrorCode.NOT_A_BUNDLE, "not a FHIR Bundle (resourceType)", where=path.name)
    kind = bundle.get("type")
    if kind not in BUNDLE_TYPES:
        raise InteropError(
            InteropErrorCode.NOT_A_BUNDLE, "Bundle.type is not transaction, batch or collection", where=path.name
        )
    entries = bundle.get("entry") or []
    if not isinstance(entries, list):
        raise InteropError(InteropErrorCode.NOT_A_BUNDLE, "Bundle.entry is not a list", where=path.name)
    source = SourceFile(path=path, kind="bundle", bundle_type=str(kind))
    for number, item in enumerate(entries):
        where = f"{path.name} entry {number}"
        if not isinstance(item, dict) or not isinstance(item.get("resource"), dict):
            raise InteropError(InteropErrorCode.INVALID_RESOURCE, "entry has no resource", where=where)
        resource = item["resource"]
        if not isinstance(resource.get("resourceType"), str):
            raise InteropError(InteropErrorCode.INVALID_RESOURCE, "resource has no resourceType", where=where)
        full_url = item.get("fullUrl") or ""
        source.entries.append(Entry(resource=resource, where=where, full_url=str(full_url)))
    return source


def _read_ndjson(path: Path, text: str) -> SourceFile:
    """Every line is a resource; blank lines are skipped. Bad lines are all reported (up to 20), and one bad
    line refuses the file (docs/decisions/0006: a partial bulk file leaves dangling references)."""
    source = SourceFile(path=path, kind="ndjson")
    problems: list[str] = []
    for number, line in _lines(text):
        where = f"{path.name} line {number}"
        try:
            resource = _json_object(line, where)
            if not isinstance(resource.get("resourceType"), str):
                raise InteropError(InteropErrorCode.INVALID_RESOURCE, "resource has no resourceType", where=where)
        except InteropError as exc:
            problems.append(exc.message)
            continue
        source.entries.append(Entry(resource=resource, where=where))
    if problems:
        shown = "; ".join(problems[:MAX_REPORTED_LINES])
        more = f" (and {len(problems) - MAX_REPORTED_LINES} more)" if len(problems) > MAX_REPORTED_LINES else ""
        raise InteropError(InteropErrorCode.NOT_JSON, f"{len(problems)} bad line(s): {shown}{more}", where=path.name)
    return source


def _lines(text: str) -> Iterator[tuple[int, str]]:
    for number, line in enumerate(text.splitlines(), start=1):
        if line.strip():
            yield number, line
