"""``recordroom synth --patients N --seed S [--truth PATH] [--documents N] [--json] --actor USER``.

Fills an empty database with a synthetic hospital (``interop.services.synthesize_hospital``): deterministic
for a seed and a day. ``--truth PATH`` writes the planted duplicates and twins, one JSON line per pair:
``{"original", "duplicate", "kind", "is_duplicate"}``. Prints the counts and the seconds each stage took.
"""

from __future__ import annotations

import sys
from pathlib import Path
from typing import Any

from django.core.management.base import CommandParser

from recordroom.access.errors import AccessDeniedError
from recordroom.core.management.base import CommandFailed, RecordroomCommand
from recordroom.interop.errors import InteropError
from recordroom.interop.services import synthesize_hospital


class Command(RecordroomCommand):
    help = "Generate a synthetic hospital (units, physicians, patients, encounters, documents) for demo and tests."

    def add_command_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--patients", type=int, default=1000, help="how many patients (default 1000)")
        parser.add_argument("--seed", type=int, default=1, help="random seed (same seed, same hospital)")
        parser.add_argument("--truth", type=Path, help="write the planted duplicates and twins here (JSON lines)")
        parser.add_argument("--duplicate-rate", type=float, default=0.05, help="share of planted duplicates")
        parser.add_argument("--encounter-rate", type=float, default=0.4, help="encounters per patient in the year")
        parser.add_argument("--documents", type=int, default=2000, help="most documents to file (default 2000)")
        parser.add_argument("--progress", action="store_true", help="print progress on stderr")

    def run(self, *, actor: Any, **options: Any) -> dict[str, Any]:
        if actor is None:
            raise CommandFailed("synth acts as a named user allowed to administer the system: --actor USERNAME")

        def progress(stage: str, done: int) -> None:
            if options.get("progress"):
                sys.stderr.write(f"{stage}: {done:,}\n")

        try:
            result = synthesize_hospital(
                actor=actor, patients=options["patients"], seed=options["seed"],
                duplicate_rate=options["duplicate_rate"], encounter_rate=options["encounter_rate"],
                documents=options["documents"], truth_path=options.get("truth"), progress=progress,
            )  # fmt: skip
        except AccessDeniedError:
            raise CommandFailed("access denied: the actor may not administer the system") from None
        except InteropError as exc:
            raise CommandFailed(exc.message) from None
        payload = result.as_dict()
        if self.as_json:
            return payload
        lines = [f"{key:<20} {value:>10,}" for key, value in result.counts.items()]
        lines += [f"{key + ' seconds':<20} {value:>10}" for key, value in result.seconds.items()]
        return {**payload, "message": "\n".join(lines)}
