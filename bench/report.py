"""Shared output of the benchmarks: print the figures, write them as JSON, compare with a baseline."""

from __future__ import annotations

import json
from collections.abc import Mapping
from pathlib import Path


def report(figures: Mapping[str, object], *, json_out: Path | None, baseline: Path | None, width: int = 40) -> None:
    for key, value in figures.items():
        print(f"{key:{width}} {value}")
    if json_out is not None:
        json_out.write_text(json.dumps(dict(figures), indent=2))
    if baseline is None:
        return
    base = json.loads(baseline.read_text())
    print("\nagainst baseline:")
    for key, value in figures.items():
        before = base.get(key)
        if (
            isinstance(value, int | float)
            and not isinstance(value, bool)
            and isinstance(before, int | float)
            and before
        ):
            print(f"{key:{width}} {before} -> {value} ({(value - before) / before:+.0%})")
