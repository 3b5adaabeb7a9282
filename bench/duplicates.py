"""Duplicate batch of the master patient index: time end to end and precision/recall against planted duplicates.

    .venv/bin/python bench/duplicates.py [--patients N] [--duplicates-share F] [--seed S] [--model-only]
                                         [--synth] [--threshold P] [--json OUT] [--baseline FILE]

Builds a population on a throw-away SQLite file database (WAL) under a temporary RECORDROOM_HOME: people
with realistic names (English, Spanish, French and German lists, diacritics, hyphenated family names),
shared surnames, twins (same family name, birth date, address and phone, different given name and SSN:
NOT duplicates), and a planted share of duplicate registrations of the kinds the AHIMA MPI practice brief
names (typos, swapped names, nicknames, a slipped or transposed date of birth, a changed address, missing
identifiers). Rows are inserted the way a bulk import would (a batch of data keys, then ``bulk_create``, so
every identifier is sealed by the vault and blind-indexed on save). Then ``find_duplicates`` runs as an HIM
clerk and is timed end to end (reading the identifiers through the vault included). With ``--model-only``
the plaintext table goes to the linkage model directly (no database, no vault): the model's own cost.

``--synth`` measures the synthetic hospital's duplicates instead (``recordroom synth``, interop app: its own
typos, swapped names, moved addresses and twins, scored against the ground truth it writes).
Targets (issue 5): 100,000 patients <= 10 s, 1,000,000 <= 2 minutes; precision >= 0.99, recall >= 0.98.
"""

from __future__ import annotations

import argparse
import atexit
import os
import random
import shutil
import sys
import tempfile
import time
import uuid
from dataclasses import dataclass
from datetime import date, timedelta
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT / "src"))
HOME = Path(tempfile.mkdtemp(prefix="recordroom-bench-"))
atexit.register(shutil.rmtree, HOME, ignore_errors=True)
os.environ["RECORDROOM_HOME"] = str(HOME)
os.environ.setdefault("RECORDROOM_DATABASE_URL", f"sqlite:///{HOME}/bench.sqlite3")
os.environ["DJANGO_SETTINGS_MODULE"] = "recordroom.settings.test"

from report import report  # noqa: E402  (a script's own folder is on sys.path)

NICK = {
    "William": "Bill", "Robert": "Bob", "Richard": "Rick", "James": "Jim", "Michael": "Mike", "Thomas": "Tom",
    "Joseph": "Joe", "David": "Dave", "Daniel": "Dan", "Christopher": "Chris", "Anthony": "Tony",
    "Elizabeth": "Liz", "Katherine": "Kate", "Margaret": "Peggy", "Jennifer": "Jenny", "Susan": "Sue",
    "Patricia": "Pat", "Deborah": "Debbie", "Rebecca": "Becky", "Edward": "Ted", "Andrew": "Andy",
}  # fmt: skip
KINDS = ("typo", "swap", "nickname", "dob_slip", "dob_swap", "moved", "typo_moved", "accent", "sparse")


def _names() -> tuple[list[str], list[str], list[str]]:
    from faker.providers.person.de_DE import Provider as German
    from faker.providers.person.en_US import Provider as English
    from faker.providers.person.es_ES import Provider as Spanish
    from faker.providers.person.fr_FR import Provider as French

    female = list(English.first_names_female) + list(Spanish.first_names_female)[:200]
    male = list(English.first_names_male) + list(Spanish.first_names_male)[:200] + list(French.first_names_male)[:100]
    family = list(English.last_names) + list(Spanish.last_names) + list(French.last_names) + list(German.last_names)
    return female, male, family


@dataclass
class Person:
    given: str
    family: str
    dob: date
    sex: str
    ssn: str
    phone: str
    email: str
    line: str
    city: str
    state: str
    zip: str


class Population:
    """People, then planted duplicates and twins; ``truth`` holds (original index, duplicate index, kind)."""

    def __init__(self, patients: int, seed: int, duplicate_share: float, twin_share: float = 0.01) -> None:
        self.rng = random.Random(seed)  # noqa: S311  (test data, not secrets)
        self.female, self.male, self.family = _names()
        self.people: list[Person] = []
        self.truth: list[tuple[int, int, str]] = []
        self.twins: list[tuple[int, int]] = []
        self.ssns: set[str] = set()
        planted = int(patients * duplicate_share)
        twins = int(patients * twin_share)
        base = patients - planted - twins
        for _ in range(base):
            self.people.append(self._person())
        for _ in range(twins):
            first = self.rng.randrange(base)
            self.people.append(self._twin(self.people[first]))
            self.twins.append((first, len(self.people) - 1))
        for n in range(planted):
            first = self.rng.randrange(base)
            kind = KINDS[n % len(KINDS)]
            self.people.append(self._duplicate(self.people[first], kind))
            self.truth.append((first, len(self.people) - 1, kind))

    def _ssn(self) -> str:
        while True:
            text = f"{self.rng.randint(1, 665):03d}{self.rng.randint(1, 99):02d}{self.rng.randint(1, 9999):04d}"
            if text not in self.ssns:
                self.ssns.add(text)
                return text

    def _phone(self) -> str:
        return f"{self.rng.randint(201, 989)}{self.rng.randint(200, 999)}{self.rng.randint(0, 9999):04d}"

    def _address(self) -> tuple[str, str, str, str]:
        street = self.rng.choice(self.family)
        suffix = self.rng.choice(("St", "Ave", "Rd", "Ln", "Dr", "Ct", "Way"))
        return (
            f"{self.rng.randint(1, 9999)} {street} {suffix}",
            "Springfield",
            "IL",
            f"{self.rng.randint(10000, 99999)}",
        )

    def _person(self) -> Person:
        sex = self.rng.choice("FM")
        given = self.rng.choice(self.female if sex == "F" else self.male)
        family = self.rng.choice(self.family)
        if self.rng.random() < 0.05:
            family = f"{family}-{self.rng.choice(self.family)}"
        born = date(1930, 1, 1) + timedelta(days=self.rng.randrange(92 * 365))
        line, city, state, code = self._address()
        email = f"{given}.{family}{self.rng.randint(1, 999)}@example.org".lower() if self.rng.random() < 0.6 else ""
        email = "".join(ch for ch in email if ch.isascii() and (ch.isalnum() or ch in ".@"))
        return Person(
            given=given, family=family, dob=born, sex=sex, ssn=self._ssn() if self.rng.random() < 0.8 else "",
            phone=self._phone() if self.rng.random() < 0.9 else "", email=email, line=line, city=city,
            state=state, zip=code,
        )  # fmt: skip

    def _twin(self, person: Person) -> Person:
        sex = self.rng.choice("FM")
        given = person.given
        while given[:1] == person.given[:1]:
            given = self.rng.choice(self.female if sex == "F" else self.male)
        return Person(
            given=given, family=person.family, dob=person.dob, sex=sex, ssn=self._ssn() if person.ssn else "",
            phone=person.phone, email="", line=person.line, city=person.city, state=person.state, zip=person.zip,
        )  # fmt: skip

    def _typo(self, text: str) -> str:
        if len(text) < 4:
            return text + self.rng.choice("aeiou")
        at = self.rng.randrange(1, len(text) - 1)
        action = self.rng.choice(("swap", "drop", "double", "replace"))
        if action == "swap":
            return text[:at] + text[at + 1] + text[at] + text[at + 2 :]
        if action == "drop":
            return text[:at] + text[at + 1 :]
        if action == "double":
            return text[:at] + text[at] + text[at:]
        return text[:at] + self.rng.choice("aeioulnrst") + text[at + 1 :]

    def _duplicate(self, person: Person, kind: str) -> Person:
        copy = Person(**vars(person))
        if kind in ("typo", "typo_moved"):
            if self.rng.random() < 0.5:
                copy.given = self._typo(copy.given)
            else:
                copy.family = self._typo(copy.family)
        if kind == "swap":
            copy.given, copy.family = copy.family, copy.given
        if kind == "nickname":
            copy.given = NICK.get(copy.given, self._typo(copy.given))
        if kind == "dob_slip":
            text = copy.dob.isoformat()
            for _ in range(10):
                at = self.rng.choice((2, 3, 6, 8, 9))
                candidate = text[:at] + str(self.rng.randrange(10)) + text[at + 1 :]
                try:
                    slipped = date.fromisoformat(candidate)
                except ValueError:
                    continue
                if slipped != copy.dob and date(1880, 1, 1) <= slipped <= date(2025, 12, 31):
                    copy.dob = slipped
                    break
        if kind == "dob_swap" and copy.dob.day <= 12 and copy.dob.day != copy.dob.month:
            copy.dob = copy.dob.replace(month=copy.dob.day, day=copy.dob.month)
        if kind in ("moved", "typo_moved"):
            copy.line, copy.city, copy.state, copy.zip = self._address()
            copy.phone = self._phone() if self.rng.random() < 0.5 else ""
            copy.email = ""
        if kind == "accent":
            copy.given = copy.given.upper()
            copy.family = copy.family.replace("a", "á").replace("e", "é") if "-" not in copy.family else copy.family
        if kind == "sparse":
            copy.ssn, copy.email = "", ""
            copy.phone = copy.phone if self.rng.random() < 0.5 else ""
        return copy

    def rows(self) -> list[tuple[Any, ...]]:
        """Plaintext rows in the linkage model's column order (for ``--model-only``)."""
        import json

        from recordroom.vault.blind_index import IndexKind, blind_index

        return [
            (n, p.sex, blind_index(IndexKind.SSN, p.ssn) if p.ssn else None, p.given, p.family, p.dob.isoformat(),
             p.ssn or None, p.phone or None, p.email or None, json.dumps({"line": p.line, "postal_code": p.zip}))
            for n, p in enumerate(self.people)
        ]  # fmt: skip


def fill(population: Population, batch: int = 10_000) -> tuple[float, list[int]]:
    """Insert the population as a bulk import would: data keys for a batch in one insert, then the batch of
    sealed rows (the fields seal and blind-index on save). Returns seconds and each person's primary key."""
    from django.db import transaction

    from recordroom.patients.models import MrnCounter, Patient
    from recordroom.patients.mrn import FIRST_NUMBER, format_mrn
    from recordroom.vault.services import create_data_keys

    start = time.perf_counter()
    keys: list[int] = []
    number = FIRST_NUMBER
    for first in range(0, len(population.people), batch):
        rows = []
        for person in population.people[first : first + batch]:
            address = {"line": person.line, "city": person.city, "state": person.state, "postal_code": person.zip}
            rows.append(
                Patient(
                    vault_subject=uuid.uuid4(),
                    public_id=uuid.uuid4(),
                    given_name=person.given,
                    family_name=person.family,
                    date_of_birth=person.dob,
                    birth_year=person.dob.year,
                    administrative_sex=person.sex,
                    ssn=person.ssn or None,
                    phone=f"+1{person.phone}" if person.phone else None,
                    email=person.email or None,
                    address=address,
                    mrn=format_mrn(number + len(keys) + len(rows)),
                )
            )
        create_data_keys([row.vault_subject for row in rows])
        with transaction.atomic():
            created = Patient.objects.bulk_create(rows, batch_size=2000)
        keys.extend(row.pk for row in created)
    MrnCounter.objects.update_or_create(pk=1, defaults={"last_number": number + len(keys)})
    return time.perf_counter() - start, keys


def score(found: set[tuple[int, int]], population: Population, keys: list[int]) -> dict[str, Any]:
    """Precision and recall of the queued pairs against the planted duplicates; twins found are errors.

    Two duplicates planted from the same original are duplicates of each other too, so every pair inside a
    planted group counts as true (recall is measured on the planted original-duplicate pairs)."""
    group: dict[int, int] = {}
    for original, duplicate, _ in population.truth:
        group[keys[original]] = keys[original]
        group[keys[duplicate]] = keys[original]
    planted = {tuple(sorted((keys[a], keys[b]))) for a, b, _ in population.truth}
    twins = {tuple(sorted((keys[a], keys[b]))) for a, b in population.twins}
    true = {pair for pair in found if pair[0] in group and group[pair[0]] == group.get(pair[1])}
    figures: dict[str, Any] = {
        "planted": len(planted),
        "queued": len(found),
        "precision": round(len(true) / len(found), 4) if found else 1.0,
        "recall": round(len(found & planted) / len(planted), 4) if planted else 1.0,
        "twins_queued": len(found & twins),
    }
    for kind in KINDS:
        kind_pairs = {tuple(sorted((keys[a], keys[b]))) for a, b, k in population.truth if k == kind}
        if kind_pairs:
            figures[f"recall_{kind}"] = round(len(kind_pairs & found) / len(kind_pairs), 4)
    return figures


def model_only(population: Population, threshold: float) -> dict[str, Any]:
    from recordroom.patients.services.duplicates_model import as_table, link

    start = time.perf_counter()
    table = as_table(population.rows())
    result = link(table, threshold=threshold)
    seconds = time.perf_counter() - start
    found = {(pair.left, pair.right) for pair in result.pairs}
    figures: dict[str, Any] = {"model_only_s": round(seconds, 2), "pairs_scored": result.pairs_scored}
    figures.update({f"model_{k}_s": round(v, 2) for k, v in result.timings.items()})
    figures.update(score(found, population, list(range(len(population.people)))))
    return figures


def end_to_end(population: Population, threshold: float) -> dict[str, Any]:
    from django.core.management import call_command

    from recordroom.accounts.roles import Role
    from recordroom.accounts.tests.factories import make_user
    from recordroom.core.vocabulary import Purpose
    from recordroom.patients.models import DuplicatePair
    from recordroom.patients.services import find_duplicates

    call_command("migrate", verbosity=0)
    fill_s, keys = fill(population)
    from recordroom.vault.services import clear_key_cache

    clear_key_cache()  # a batch normally finds no key in this process's cache
    clerk = make_user([Role.HIM_CLERK]).user
    start = time.perf_counter()
    run = find_duplicates(actor=clerk, purpose=Purpose.OPERATIONS, threshold=threshold)
    seconds = time.perf_counter() - start
    found = set(DuplicatePair.objects.filter(run=run).values_list("left_id", "right_id"))
    timings = run.model_summary.get("timings", {})
    figures: dict[str, Any] = {"fill_s": round(fill_s, 1), "end_to_end_s": round(seconds, 2)}
    figures.update({f"{k}_s": round(v, 2) for k, v in timings.items()})
    figures["pairs_scored"] = run.pairs_scored
    figures.update(score(found, population, keys))
    return figures


def synth_hospital(patients: int, seed: int, threshold: float) -> dict[str, Any]:
    """The synthetic hospital's planted duplicates (``recordroom synth``, interop app): typos, swapped
    names, changed addresses and its twins, scored against its ground truth (public ids)."""
    import json

    from django.core.management import call_command

    from recordroom.accounts.roles import Role
    from recordroom.accounts.tests.factories import make_user
    from recordroom.core.vocabulary import Purpose
    from recordroom.interop.services import synthesize_hospital
    from recordroom.patients.models import DuplicatePair
    from recordroom.patients.services import find_duplicates
    from recordroom.vault.services import clear_key_cache

    call_command("migrate", verbosity=0)
    truth_path = HOME / "truth.jsonl"
    admin = make_user([Role.SYSADMIN]).user
    start = time.perf_counter()
    synthesize_hospital(actor=admin, patients=patients, seed=seed, documents=0, truth_path=truth_path)
    fill_s = time.perf_counter() - start
    truth = [json.loads(line) for line in truth_path.read_text().splitlines() if line]
    clear_key_cache()
    clerk = make_user([Role.HIM_CLERK]).user
    start = time.perf_counter()
    run = find_duplicates(actor=clerk, purpose=Purpose.OPERATIONS, threshold=threshold)
    seconds = time.perf_counter() - start
    found = {
        tuple(sorted(map(str, pair)))
        for pair in DuplicatePair.objects.filter(run=run).values_list("left__public_id", "right__public_id")
    }
    planted = {tuple(sorted((t["original"], t["duplicate"]))): t for t in truth if t["is_duplicate"]}
    twins = {tuple(sorted((t["original"], t["duplicate"]))) for t in truth if not t["is_duplicate"]}
    parent: dict[str, str] = {}

    def root(key: str) -> str:
        while parent.get(key, key) != key:
            key = parent[key]
        return key

    for left, right in planted:  # one group per person: duplicates of one original match each other too
        parent[root(left)] = root(right)
    true = {pair for pair in found if pair[0] in parent or pair[1] in parent if root(pair[0]) == root(pair[1])}
    figures: dict[str, Any] = {
        "synth_patients": run.patients_scanned,
        "synth_fill_s": round(fill_s, 1),
        "synth_end_to_end_s": round(seconds, 2),
        "synth_planted": len(planted),
        "synth_queued": len(found),
        "synth_precision": round(len(true) / len(found), 4) if found else 1.0,
        "synth_recall": round(len(found & set(planted)) / len(planted), 4) if planted else 1.0,
        "synth_twins": len(twins),
        "synth_twins_queued": len(found & twins),
    }
    for kind in sorted({t["kind"] for t in planted.values()}):
        pairs = {pair for pair, t in planted.items() if t["kind"] == kind}
        figures[f"synth_recall_{kind}"] = round(len(pairs & found) / len(pairs), 4)
    return figures


def main() -> int:
    parser = argparse.ArgumentParser(description=(__doc__ or "").splitlines()[0])
    parser.add_argument("--patients", type=int, default=100_000)
    parser.add_argument("--duplicates-share", type=float, default=0.1)
    parser.add_argument("--seed", type=int, default=5)
    parser.add_argument("--threshold", type=float, default=None)
    parser.add_argument("--model-only", action="store_true", help="the linkage model on plaintext, no vault")
    parser.add_argument("--synth", action="store_true", help="the synthetic hospital's duplicates (recordroom synth)")
    parser.add_argument("--json", type=Path, help="write the figures here")
    parser.add_argument("--baseline", type=Path, help="compare with figures written earlier by --json")
    args = parser.parse_args()

    import django

    django.setup()
    from recordroom.patients.services.duplicates_model import DEFAULT_THRESHOLD

    threshold = DEFAULT_THRESHOLD if args.threshold is None else args.threshold
    if args.synth:
        figures = {"threshold": threshold, **synth_hospital(args.patients, args.seed, threshold)}
        report(figures, json_out=args.json, baseline=args.baseline, width=32)
        return 0
    start = time.perf_counter()
    population = Population(args.patients, args.seed, args.duplicates_share)
    figures: dict[str, Any] = {
        "patients": len(population.people),
        "population_s": round(time.perf_counter() - start, 1),
    }
    if args.model_only:
        figures.update(model_only(population, threshold))
    else:
        figures.update(end_to_end(population, threshold))
    figures["threshold"] = threshold
    report(figures, json_out=args.json, baseline=args.baseline, width=32)
    return 0


if __name__ == "__main__":
    sys.exit(main())
