"""The synthetic population: people with realistic demographics, twins, and planted near-duplicate
registrations whose kind is known (the ground truth a record-linkage run is scored against).

Everything comes from one ``random.Random(seed)`` and the reference date, so a seed gives the same people.
The error kinds are the ones the AHIMA MPI practice briefs list as the causes of duplicate records
(*Fundamentals for Building a Master Patient Index/Enterprise Master Patient Index*, AHIMA 2010; *Ensuring
Data Integrity in Health Information Exchange*, AHIMA 2012): typing errors, transposed first and last
names, nicknames, changed addresses, missing SSNs, date-of-birth digit errors and name changes at marriage.
Twins share date of birth, family name and address and are NOT duplicates: linkage must keep them apart.
"""

from __future__ import annotations

import contextlib
import random
from collections.abc import Callable
from dataclasses import dataclass, field, replace
from datetime import date, timedelta
from typing import Any

from recordroom.interop.synthdata.names import FAMILY, FEMALE_GIVEN, MALE_GIVEN, MIDDLE_INITIALS, NICKNAMES
from recordroom.interop.synthdata.places import CITIES, EMAIL_DOMAINS, STREETS, UNITS_WORDS

# Share of the population by age band (US Census Bureau, 2020 Census age and sex, rounded percentages).
AGE_BANDS = ((0, 4, 6), (5, 17, 16), (18, 24, 9), (25, 34, 14), (35, 44, 13), (45, 54, 12), (55, 64, 13),
             (65, 74, 10), (75, 84, 5), (85, 100, 2))  # fmt: skip
DUPLICATE_KINDS = (("typo", 30), ("swap", 10), ("moved", 20), ("nickname", 15), ("dob_slip", 10),
                   ("missing_ssn", 10), ("married_name", 5))  # fmt: skip
TWIN_RATE = 0.01
_KEYBOARD = {
    "a": "qsz", "b": "vgn", "c": "xdv", "d": "sfe", "e": "wrd", "f": "dgr", "g": "fht", "h": "gjy", "i": "uok",
    "j": "hku", "k": "jli", "l": "ko", "m": "nj", "n": "bmh", "o": "ipl", "p": "ol", "q": "wa", "r": "etf",
    "s": "adw", "t": "ryg", "u": "yij", "v": "cbf", "w": "qes", "x": "zc", "y": "tuh", "z": "xa",
}  # fmt: skip


@dataclass
class Person:
    """One registration (plaintext, in memory only until the vault seals it)."""

    given_name: str
    family_name: str
    date_of_birth: date
    administrative_sex: str
    middle_name: str = ""
    preferred_name: str = ""
    ssn: str = ""
    phone: str = ""
    email: str = ""
    address: dict[str, str] = field(default_factory=dict)
    deceased_date: date | None = None
    coded: dict[str, Any] = field(default_factory=dict)

    def fields(self) -> dict[str, Any]:
        return {
            "given_name": self.given_name, "family_name": self.family_name, "date_of_birth": self.date_of_birth,
            "administrative_sex": self.administrative_sex, "middle_name": self.middle_name,
            "preferred_name": self.preferred_name, "ssn": self.ssn, "phone": self.phone, "email": self.email,
            "address": self.address or None, "deceased_date": self.deceased_date, **self.coded,
        }  # fmt: skip

    def fingerprint(self) -> str:
        """A stable text of every field (for determinism digests)."""
        return "|".join(f"{key}={value}" for key, value in sorted(self.fields().items(), key=lambda kv: kv[0]))


@dataclass(frozen=True)
class Planted:
    """A pair in the ground truth: ``duplicate`` (an index into the population) is a second registration of
    ``original`` (``is_duplicate``), or its twin (``kind == "twin"``, not a duplicate)."""

    original: int
    duplicate: int
    kind: str
    is_duplicate: bool = True


@dataclass
class Population:
    people: list[Person]
    planted: list[Planted]


def _weighted(rng: random.Random, choices: tuple[tuple[Any, int], ...]) -> Any:
    total = sum(weight for _, weight in choices)
    pick = rng.random() * total
    for value, weight in choices:
        pick -= weight
        if pick < 0:
            return value
    return choices[-1][0]


def _ssn(rng: random.Random) -> str:
    """An SSN the SSA could assign (no area 000, 666, 9xx; no group 00; no serial 0000): synthetic."""
    area = rng.randint(1, 899)
    area = 667 if area == 666 else area
    return f"{area:03d}{rng.randint(1, 99):02d}{rng.randint(1, 9999):04d}"


def _address(rng: random.Random) -> tuple[dict[str, str], str]:
    city, state, postal, area_code = rng.choice(CITIES)
    line = f"{rng.randint(1, 9899)} {rng.choice(STREETS)}"
    if rng.random() < 0.25:
        line += f" {rng.choice(UNITS_WORDS)} {rng.randint(1, 40)}{rng.choice('ABCD') if rng.random() < 0.3 else ''}"
    return {"line": line, "city": city, "state": state, "postal_code": postal}, area_code


def _phone(rng: random.Random, area_code: str) -> str:
    # 555-01xx numbers are reserved for fiction (NANPA); the rest looks like a local number.
    return f"({area_code}) {rng.randint(200, 999)}-{rng.randint(0, 9999):04d}"


def _birth_date(rng: random.Random, today: date, ages: tuple[int, int] | None = None) -> date:
    if ages is None:
        low, high, _ = _weighted(rng, tuple(((lo, hi, w), w) for lo, hi, w in AGE_BANDS))
    else:
        low, high = ages
    age = rng.randint(low, high)
    born = today - timedelta(days=age * 365 + rng.randint(0, 364))
    return min(born, today)


def _email(rng: random.Random, given: str, family: str) -> str:
    local = "".join(ch for ch in f"{given}.{family}".lower() if ch.isascii() and (ch.isalnum() or ch == "."))
    local = local.strip(".") or "patient"
    return f"{local}{rng.randint(1, 999)}@{rng.choice(EMAIL_DOMAINS)}"


class PeopleFactory:
    """Makes people from one seeded generator; ``romanize`` maps a name the MPI cannot index (a script its
    name search does not fold) to the spelling a clerk would type."""

    def __init__(self, rng: random.Random, today: date, romanize: Callable[[str], str]) -> None:
        self.rng = rng
        self.today = today
        self.romanize = romanize
        self.coded = CodedDemographics(rng)

    def family(self) -> str:
        rng = self.rng
        name = self.romanize(rng.choice(FAMILY))
        if rng.random() < 0.06:  # hyphenated double surname
            other = self.romanize(rng.choice(FAMILY))
            if other != name:
                name = f"{name}-{other}"
        return name

    def given(self, sex: str) -> str:
        pool = FEMALE_GIVEN if sex == "F" else MALE_GIVEN if sex == "M" else self.rng.choice((FEMALE_GIVEN, MALE_GIVEN))
        return self.romanize(self.rng.choice(pool))

    def person(self, *, ages: tuple[int, int] | None = None, sex: str = "", family: str = "") -> Person:
        rng = self.rng
        sex = sex or _weighted(rng, (("F", 505), ("M", 490), ("U", 3), ("O", 2)))
        given = self.given(sex)
        family = family or self.family()
        born = _birth_date(rng, self.today, ages)
        address, area_code = _address(rng)
        adult = (self.today - born).days >= 18 * 365
        person = Person(
            given_name=given, family_name=family, date_of_birth=born, administrative_sex=sex,
            middle_name=rng.choice(MIDDLE_INITIALS) if rng.random() < 0.45 else "",
            ssn=_ssn(rng) if rng.random() < (0.85 if adult else 0.6) else "",
            phone=_phone(rng, area_code) if rng.random() < 0.92 else "",
            email=_email(rng, given, family) if adult and rng.random() < 0.45 else "",
            address=address if rng.random() < 0.97 else {},
            coded=self.coded.draw(),
        )  # fmt: skip
        if given in NICKNAMES and rng.random() < 0.1:
            person.preferred_name = rng.choice(NICKNAMES[given])
        age = (self.today - born).days // 365
        if age > 60 and rng.random() < 0.02:
            person.deceased_date = self.today - timedelta(days=rng.randint(1, 700))
            person.deceased_date = max(person.deceased_date, born)
        return person

    def twin_of(self, first: Person) -> Person:
        rng = self.rng
        twin = self.person(sex=rng.choice(("F", "M")), family=first.family_name)
        twin.date_of_birth = first.date_of_birth
        twin.address = dict(first.address)
        twin.phone = first.phone
        twin.deceased_date = None
        if twin.given_name == first.given_name:
            twin.given_name = self.given("F" if first.given_name in MALE_GIVEN else "M")
        return twin

    def duplicate_of(self, original: Person, kind: str) -> Person:
        """A second registration of the same person, with the error ``kind`` describes."""
        rng = self.rng
        dup = replace(original, address=dict(original.address), coded=dict(original.coded))
        dup.preferred_name = ""
        if rng.random() < 0.5:
            dup.ssn = ""  # second registrations often lack the SSN
        if rng.random() < 0.5:
            dup.email = ""
        if kind == "typo":
            if rng.random() < 0.5:
                dup.given_name = typo(rng, dup.given_name)
            else:
                dup.family_name = typo(rng, dup.family_name)
        elif kind == "swap":
            dup.given_name, dup.family_name = original.family_name, original.given_name
        elif kind == "moved":
            dup.address, area_code = _address(rng)
            dup.phone = _phone(rng, area_code)
        elif kind == "nickname":
            dup.given_name = rng.choice(NICKNAMES.get(original.given_name, (original.given_name[:3],)))
        elif kind == "dob_slip":
            dup.date_of_birth = dob_slip(rng, original.date_of_birth, self.today)
        elif kind == "missing_ssn":
            dup.ssn = ""
            dup.middle_name = ""
        elif kind == "married_name":
            dup.family_name = f"{original.family_name}-{self.romanize(rng.choice(FAMILY))}"
            dup.address, area_code = _address(rng)
            dup.phone = _phone(rng, area_code)
        return dup


class CodedDemographics:
    """Gender identity, language, race and ethnicity codes for a person, drawn from the value sets the
    patients app accepts (``set_value_sets``), with weights near the US Census 2020 mix when known."""

    def __init__(self, rng: random.Random) -> None:
        self.rng = rng
        self.sets: dict[str, tuple[str, ...]] = {}

    def set_value_sets(self, sets: dict[str, tuple[str, ...]]) -> None:
        self.sets = {key: values for key, values in sets.items() if values}

    def draw(self) -> dict[str, Any]:
        rng = self.rng
        out: dict[str, Any] = {}
        if languages := self.sets.get("preferred_language"):
            common = [code for code in ("en", "es", "zh", "vi", "ar", "fr") if code in languages]
            pool = common if common and rng.random() < 0.97 else list(languages)
            out["preferred_language"] = common[0] if common and rng.random() < 0.78 else rng.choice(pool)
        if races := self.sets.get("race"):
            out["race"] = (rng.choice(races),)
        if ethnicities := self.sets.get("ethnicity"):
            out["ethnicity"] = (rng.choice(ethnicities),)
        if identities := self.sets.get("gender_identity"):
            out["gender_identity"] = rng.choice(identities) if rng.random() < 0.3 else ""
        return out


def typo(rng: random.Random, name: str) -> str:
    """One keying error in ``name``: a neighbouring key, a dropped or doubled letter, or two letters
    swapped (Damerau's four single-error kinds, *CACM* 7(3), 1964)."""
    letters = [i for i, ch in enumerate(name) if ch.isalpha()]
    if len(letters) < 3:
        return name + name[-1]
    at = rng.choice(letters[1:])
    kind = rng.randrange(4)
    lower = name[at].lower()
    if kind == 0 and lower in _KEYBOARD:
        new = rng.choice(_KEYBOARD[lower])
        return name[:at] + (new.upper() if name[at].isupper() else new) + name[at + 1 :]
    if kind == 1:
        return name[:at] + name[at + 1 :]
    if kind == 2:
        return name[:at] + name[at] + name[at:]
    previous = at - 1
    if name[previous] != name[at] and name[previous].isalpha():
        return name[:previous] + name[at] + name[previous] + name[at + 1 :]
    return name[:at] + name[at] + name[at:]


def dob_slip(rng: random.Random, born: date, today: date) -> date:
    """A date of birth keyed wrongly: day and month swapped, a day off by one, or the year's last two
    digits transposed; always a real date no later than ``today`` and different from ``born``."""
    options: list[date] = []
    if born.day <= 12 and born.day != born.month:
        options.append(date(born.year, born.day, born.month))
    options.append(born + timedelta(days=1) if born < today else born - timedelta(days=1))
    year = born.year
    swapped = year - year % 100 + (year % 10) * 10 + (year // 10) % 10
    if swapped != year and 1900 <= swapped <= today.year:
        with contextlib.suppress(ValueError):  # 29 February of a year that has none
            options.append(born.replace(year=swapped))
    candidates = [d for d in options if d != born and d <= today]
    return rng.choice(candidates) if candidates else born - timedelta(days=1)


def make_population(
    rng: random.Random, today: date, count: int, *, duplicate_rate: float, romanize: Callable[[str], str],
    value_sets: dict[str, tuple[str, ...]] | None = None,
) -> Population:  # fmt: skip
    """``count`` registrations: distinct people, twin pairs (about 1 % of people) and planted duplicates
    (``duplicate_rate`` of the registrations), in registration order (a duplicate after its original)."""
    factory = PeopleFactory(rng, today, romanize)
    factory.coded.set_value_sets(value_sets or {})
    people: list[Person] = []
    planted: list[Planted] = []
    duplicates = round(count * duplicate_rate)
    originals = count - duplicates
    while len(people) < originals:
        person = factory.person()
        people.append(person)
        if len(people) < originals and rng.random() < TWIN_RATE:
            people.append(factory.twin_of(person))
            planted.append(Planted(len(people) - 2, len(people) - 1, "twin", is_duplicate=False))
    twins = {p.duplicate for p in planted}
    for _ in range(duplicates):
        original = rng.randrange(originals)
        while original in twins and rng.random() < 0.8:  # fewer duplicates of twins, but some
            original = rng.randrange(originals)
        kind = _weighted(rng, DUPLICATE_KINDS)
        people.append(factory.duplicate_of(people[original], kind))
        planted.append(Planted(original, len(people) - 1, kind))
    return Population(people=people, planted=planted)
