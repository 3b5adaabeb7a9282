"""The probabilistic record-linkage model behind the duplicate batch: Fellegi-Sunter, fitted with splink on an
in-memory DuckDB.

Fellegi and Sunter ("A Theory for Record Linkage", JASA 64 (1969) 1183-1210): each compared attribute falls
into an agreement level; a level's match weight is ``log2(m / u)``, where ``m`` is the chance of that level
among true duplicates and ``u`` among unrelated people; a pair's weight is the prior's plus the sum of its
levels'. ``u`` is estimated by random sampling of pairs, ``m`` by expectation maximisation over the pairs
the training blocking rules generate (Winkler, "Using the EM Algorithm for Weight Computation in the
Fellegi-Sunter Model of Record Linkage", 1988). Levels follow the AHIMA MPI practice brief's data-quality
findings: transposed names, typing slips in dates of birth (a digit, or day and month swapped), nicknames,
and changed addresses are the usual causes of duplicate registrations (AHIMA, "Fundamentals for Building a
Master Patient Index/Enterprise Master Patient Index", 2010 update).

Privacy: DuckDB runs in memory only, its ``temp_directory`` is empty (nothing spills to disk: a batch too
large for ``memory_limit`` fails instead), external access is switched off (no ``COPY``/file reads), and
splink's logging is silenced, so no plaintext identifier reaches a file or a log (DESIGN invariant 3). The
result carries patient keys, numbers and level labels only.
"""

from __future__ import annotations

import itertools
import logging
import math
import time
from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Any

import duckdb
import pyarrow as pa  # type: ignore[import-untyped]  # (pyarrow ships no type information)

DEFAULT_THRESHOLD = 0.8
MEMORY_LIMIT = "3GB"
THREADS = 2
U_SAMPLE_PAIRS = 300_000
SEED = 5
# Smallest m (and u) probability a level keeps after training. EM on one population can drive the m of a
# disagreement level to ~0 (no duplicate in the sample changed e-mail or married), which would make that
# one disagreement veto any match; real registrations do change (AHIMA MPI brief), so each level keeps
# at least this share (additive smoothing of the estimated distribution).
M_FLOOR = 0.002
U_FLOOR = 1e-7
# Given names that are placeholders, not names: a newborn registered as "Baby Girl" and renamed later is
# a duplicate, not a twin, so the multiple-birth guard does not apply to them.
PLACEHOLDER_GIVEN = frozenset({"baby", "babyboy", "babygirl", "boy", "girl", "infant", "newborn", "unknown", "twin"})

# The columns the reader hands over, in this order (plaintext, in memory only): the date of birth as ISO
# 8601 text and the address as its JSON text (line, city, state, postal_code), both parsed in DuckDB.
COLUMNS = ("id", "sex", "ssn_index", "given", "family", "dob", "ssn", "phone", "email", "address")

# Common English and Spanish given-name variants (hypocorisms; a small subset of the nickname lists MPI
# vendors ship): each maps to one canonical form so "Bill" and "William" compare as the same given name.
NICKNAMES: dict[str, str] = {
    "bill": "william", "billy": "william", "will": "william", "willy": "william", "liam": "william",
    "bob": "robert", "bobby": "robert", "rob": "robert", "robbie": "robert", "bert": "robert",
    "dick": "richard", "rick": "richard", "ricky": "richard", "rich": "richard",
    "jim": "james", "jimmy": "james", "jamie": "james",
    "mike": "michael", "mikey": "michael", "mick": "michael",
    "tom": "thomas", "tommy": "thomas",
    "joe": "joseph", "joey": "joseph",
    "dave": "david", "davey": "david",
    "dan": "daniel", "danny": "daniel",
    "chris": "christopher", "kit": "christopher",
    "tony": "anthony",
    "steve": "steven", "stephen": "steven",
    "ed": "edward", "eddie": "edward", "ted": "edward", "ned": "edward",
    "andy": "andrew", "drew": "andrew",
    "jon": "john", "johnny": "john", "jack": "john",
    "matt": "matthew", "ben": "benjamin", "sam": "samuel", "nick": "nicholas", "alex": "alexander",
    "charlie": "charles", "chuck": "charles", "hank": "henry", "harry": "henry", "larry": "lawrence",
    "greg": "gregory", "jeff": "jeffrey", "ken": "kenneth", "kenny": "kenneth", "ron": "ronald",
    "don": "donald", "frank": "francis", "fred": "frederick", "pat": "patricia", "patty": "patricia",
    "trish": "patricia", "liz": "elizabeth", "beth": "elizabeth", "betty": "elizabeth", "lizzie": "elizabeth",
    "eliza": "elizabeth", "kate": "katherine", "katie": "katherine", "kathy": "katherine", "cathy": "katherine",
    "catherine": "katherine", "peggy": "margaret", "maggie": "margaret", "meg": "margaret",
    "jenny": "jennifer", "jen": "jennifer", "sue": "susan", "susie": "susan", "debbie": "deborah",
    "deb": "deborah", "barb": "barbara", "becky": "rebecca", "vicky": "victoria", "abby": "abigail",
    "tina": "christina", "tori": "victoria", "cat": "katherine", "jonathan": "john",
    "pepe": "jose", "paco": "francisco", "pancho": "francisco", "memo": "guillermo", "chuy": "jesus",
    "lupe": "guadalupe", "lola": "dolores", "moncho": "ramon", "nacho": "ignacio", "quique": "enrique",
    "mandy": "amanda", "sandy": "sandra", "cindy": "cynthia", "terri": "teresa", "theresa": "teresa",
    "jessie": "jessica", "jess": "jessica", "nancy": "ann", "annie": "ann", "anne": "ann",
}  # fmt: skip

# Candidate pairs for scoring: several narrow rules rather than one broad one (the issue measured a
# surname-only block at 10x the time and out of memory at a million records). Each catches duplicates the
# others miss: a typo in a name (date of birth + an initial), swapped given and family names, a slip in
# the date of birth (the full name + two of its three parts), and anything sharing an identifier.
PREDICTION_RULES: tuple[tuple[str, str], ...] = (
    ("dob_given_initial", "l.dob = r.dob AND l.given_initial = r.given_initial"),
    ("dob_family_initial", "l.dob = r.dob AND l.family_initial = r.family_initial"),
    ("dob_swapped_initials", "l.dob = r.dob AND l.given_initial = r.family_initial"),
    ("name_year_month", "l.given_canon = r.given_canon AND l.family = r.family AND l.year_month = r.year_month"),
    ("name_month_day", "l.given_canon = r.given_canon AND l.family = r.family AND l.month_day = r.month_day"),
    ("name_year_day", "l.given_canon = r.given_canon AND l.family = r.family AND l.year_day = r.year_day"),
    ("ssn", "l.ssn_index = r.ssn_index"),
    ("phone", "l.phone = r.phone"),
    ("email", "l.email = r.email"),
    ("zip_given", "l.zip = r.zip AND l.given_canon = r.given_canon"),
)
# The prior (the chance two records picked at random are one person) is estimated from pairs that are
# surely duplicates, scaled by how many of all duplicates such rules are expected to find (splink's
# estimate_probability_two_random_records_match), and kept within a plausible range.
DETERMINISTIC_RULES: tuple[str, ...] = (
    "l.ssn_index = r.ssn_index",
    "l.dob = r.dob AND l.given_canon = r.given_canon AND l.family = r.family",
)
PRIOR_RECALL = 0.7
PRIOR_RANGE = (1e-8, 0.05)
# Rules for EM: each leaves out the attributes it blocks on, so between them every comparison is trained.
TRAINING_RULES: tuple[str, ...] = (
    "l.dob = r.dob AND l.given_initial = r.given_initial",
    "l.family = r.family AND l.given_canon = r.given_canon AND l.year_month = r.year_month",
)


def _level(sql: str, label: str, m: float | None = None, *, null: bool = False) -> dict[str, Any]:
    """A comparison level; ``m`` is its starting m probability (what EM starts from, and what stays when an
    index is too small to train on: values of the order the 100,000-record benchmark fits)."""
    level: dict[str, Any] = {"sql_condition": sql, "label_for_charts": label}
    if null:
        level["is_null_level"] = True
    if m is not None:
        level["m_probability"] = m
    return level


def _jw(column: str, threshold: float) -> str:
    return f"jaro_winkler_similarity({column}_l, {column}_r) >= {threshold}"


COMPARISONS: tuple[dict[str, Any], ...] = (
    {
        "output_column_name": "name",
        "comparison_description": "given and family name",
        "comparison_levels": [
            _level("given_l IS NULL OR given_r IS NULL OR family_l IS NULL OR family_r IS NULL", "missing", null=True),
            _level("given_canon_l = given_canon_r AND family_l = family_r", "exact", 0.55),
            _level("given_l = family_r AND family_l = given_r", "given and family swapped", 0.02),
            _level(f"{_jw('given_canon', 0.92)} AND {_jw('family', 0.92)}", "both alike (Jaro-Winkler >= 0.92)", 0.3),
            _level(f"{_jw('given_canon', 0.8)} AND {_jw('family', 0.8)}", "both similar (Jaro-Winkler >= 0.80)", 0.07),
            _level("given_canon_l = given_canon_r", "same given name, family differs", 0.03),
            _level("family_l = family_r", "same family name, given differs", 0.01),
            _level("ELSE", "different", 0.02),
        ],
    },
    {
        "output_column_name": "dob",
        "comparison_description": "date of birth",
        "comparison_levels": [
            _level("dob_l IS NULL OR dob_r IS NULL", "missing", null=True),
            _level("dob_l = dob_r", "exact", 0.85),
            _level("damerau_levenshtein(dob_l, dob_r) <= 1", "one digit slipped or transposed", 0.06),
            _level(
                "substr(dob_l, 1, 4) = substr(dob_r, 1, 4) AND substr(dob_l, 6, 2) = substr(dob_r, 9, 2) "
                "AND substr(dob_l, 9, 2) = substr(dob_r, 6, 2)",
                "day and month swapped",
                0.03,
            ),
            _level("substr(dob_l, 1, 4) = substr(dob_r, 1, 4)", "same year", 0.03),
            _level("ELSE", "different", 0.03),
        ],
    },
    {
        "output_column_name": "sex",
        "comparison_description": "administrative sex",
        "comparison_levels": [
            _level("sex_l IS NULL OR sex_r IS NULL", "missing or unknown", null=True),
            _level("sex_l = sex_r", "exact", 0.97),
            _level("ELSE", "different", 0.03),
        ],
    },
    {
        "output_column_name": "ssn",
        "comparison_description": "social security number",
        "comparison_levels": [
            _level("ssn_l IS NULL OR ssn_r IS NULL", "missing", null=True),
            _level("ssn_l = ssn_r", "exact", 0.93),
            _level("damerau_levenshtein(ssn_l, ssn_r) <= 1", "one digit slipped or transposed", 0.04),
            _level("ELSE", "different", 0.03),
        ],
    },
    {
        "output_column_name": "email",
        "comparison_description": "e-mail address",
        "comparison_levels": [
            _level("email_l IS NULL OR email_r IS NULL", "missing", null=True),
            _level("email_l = email_r", "exact", 0.85),
            _level("ELSE", "different", 0.15),
        ],
    },
    {
        # Phone and address together: people of one household share both, so counting them as two
        # independent agreements (the Fellegi-Sunter assumption) would make a mother and her newborn look
        # like one person. One comparison counts the household once.
        "output_column_name": "contact",
        "comparison_description": "phone number and street address",
        "comparison_levels": [
            _level("(phone_l IS NULL OR phone_r IS NULL) AND (zip_l IS NULL OR zip_r IS NULL)", "missing", null=True),
            _level(f"phone_l = phone_r AND zip_l = zip_r AND {_jw('line', 0.9)}", "same phone and address", 0.6),
            _level("phone_l = phone_r", "same phone", 0.1),
            _level(f"zip_l = zip_r AND {_jw('line', 0.9)}", "same street address", 0.1),
            _level("zip_l = zip_r", "same ZIP code", 0.03),
            _level("ELSE", "different", 0.17),
        ],
    },
)
ATTRIBUTES = tuple(c["output_column_name"] for c in COMPARISONS)


@dataclass(frozen=True)
class ScoredPair:
    """One candidate pair: the two patients' keys (``left < right``), the probability, the total match
    weight, and per attribute its agreement level and weight (labels and numbers only)."""

    left: int
    right: int
    probability: float
    weight: float
    evidence: list[dict[str, Any]]


@dataclass
class LinkageResult:
    pairs: list[ScoredPair] = field(default_factory=list)
    records: int = 0
    pairs_scored: int = 0
    multiple_births: int = 0
    summary: dict[str, Any] = field(default_factory=dict)
    timings: dict[str, float] = field(default_factory=dict)


def _normalised_sql(source: str) -> str:  # the SQL is built from constants only
    """Normalise in DuckDB (vectorised): Unicode accents stripped, case folded, everything but letters (or
    digits) dropped; the given name mapped to its canonical form; date parts for blocking."""

    def name(column: str) -> str:
        return f"nullif(regexp_replace(strip_accents(lower({column})), '[^a-z]', '', 'g'), '')"

    return f"""
        CREATE TABLE people AS
        WITH base AS (
            SELECT id, {name("given")} AS given, {name("family")} AS family,
                   strftime(try_cast(dob AS DATE), '%Y-%m-%d') AS dob,
                   CASE WHEN sex IN ('F', 'M') THEN sex END AS sex,
                   nullif(regexp_replace(ssn, '[^0-9]', '', 'g'), '') AS ssn, ssn_index,
                   nullif(regexp_replace(phone, '[^0-9]', '', 'g'), '') AS phone,
                   nullif(lower(trim(email)), '') AS email,
                   nullif(regexp_replace(strip_accents(lower(json_extract_string(address, '$.line'))),
                          '[^a-z0-9]', '', 'g'), '') AS line,
                   nullif(substr(json_extract_string(address, '$.postal_code'), 1, 5), '') AS zip
            FROM {source}
        )
        SELECT base.*, coalesce(nick.canonical, base.given) AS given_canon,
               substr(base.given, 1, 1) AS given_initial, substr(base.family, 1, 1) AS family_initial,
               substr(base.dob, 1, 7) AS year_month, substr(base.dob, 6, 5) AS month_day,
               substr(base.dob, 1, 4) || substr(base.dob, 9, 2) AS year_day
        FROM base LEFT JOIN nicknames AS nick ON nick.variant = base.given
    """  # noqa: S608


def _connection() -> duckdb.DuckDBPyConnection:
    con = duckdb.connect(":memory:", config={"temp_directory": "", "memory_limit": MEMORY_LIMIT, "threads": THREADS})
    con.execute("SET enable_external_access = false")
    con.execute("SET enable_progress_bar = false")
    return con


def _settings(threshold: float) -> dict[str, Any]:
    return {
        "link_type": "dedupe_only",
        "unique_id_column_name": "id",
        "probability_two_random_records_match": 1e-5,
        "blocking_rules_to_generate_predictions": [
            {"blocking_rule": sql, "sql_dialect": "duckdb"} for _, sql in PREDICTION_RULES
        ],
        "comparisons": list(COMPARISONS),
        "retain_intermediate_calculation_columns": True,
        "retain_matching_columns": True,  # needed for the gamma (level) columns; in memory only
        "additional_columns_to_retain": [],
        "em_convergence": 0.001,
        "max_iterations": 20,
    }


def _quiet_splink() -> None:
    """splink logs comparison SQL and parameters at INFO; nothing of it should reach a log file."""
    logging.getLogger("splink").setLevel(logging.ERROR)


def _parameters(linker: Any) -> dict[str, Any]:
    """m and u per level, and the prior: what a reviewer needs to see why pairs scored as they did."""
    settings = linker._settings_obj
    comparisons: dict[str, list[dict[str, Any]]] = {}
    for comparison in settings.comparisons:
        levels = []
        for level in comparison.comparison_levels:
            if level.is_null_level:
                continue
            m, u = level.m_probability, level.u_probability
            levels.append(
                {
                    "level": level.label_for_charts,
                    "m": None if m is None else round(float(m), 6),
                    "u": None if u is None else float(f"{float(u):.6g}"),
                    "weight": None if not m or not u else round(math.log2(float(m) / float(u)), 3),
                }
            )
        comparisons[comparison.output_column_name] = levels
    return {"prior": float(f"{settings._probability_two_random_records_match:.6g}"), "comparisons": comparisons}


def _labels() -> dict[str, dict[int, str]]:
    """gamma value -> level label, per attribute (splink numbers levels from the last, ``ELSE`` = 0)."""
    labels: dict[str, dict[int, str]] = {}
    for comparison in COMPARISONS:
        levels = comparison["comparison_levels"]
        mapping: dict[int, str] = {-1: "missing"}
        rank = len([lv for lv in levels if not lv.get("is_null_level")]) - 1
        for level in levels:
            if level.get("is_null_level"):
                continue
            mapping[rank] = level["label_for_charts"]
            rank -= 1
        labels[comparison["output_column_name"]] = mapping
    return labels


# Exact-agreement levels whose u is computed from the value frequencies rather than sampled: the chance
# that two different records share a value is the sum over values of (count choose 2) / (n choose 2).
# A random sample of pairs almost never contains two people with the same full name among a million, so
# the sampled u of the most telling levels would be noise (Winkler's frequency-based u; splink's term
# frequencies compute the same quantity).
EXACT_U: dict[tuple[str, str], str] = {
    ("name", "exact"): "given_canon || '|' || family",
    ("dob", "exact"): "dob",
    ("ssn", "exact"): "ssn",
    ("email", "exact"): "email",
}


def _exact_u(linker: Any) -> None:
    con = linker._db_api.duckdb_con
    for comparison in linker._settings_obj.comparisons:
        for level in comparison.comparison_levels:
            key = EXACT_U.get((comparison.output_column_name, level.label_for_charts))
            if key is None:
                continue
            row = con.execute(
                f"SELECT sum(c * (c - 1)), sum(c) FROM (SELECT count(*) AS c FROM people "  # noqa: S608 (constants)
                f"WHERE {key} IS NOT NULL GROUP BY {key})"
            ).fetchall()
            same, total = (row[0][0] or 0, row[0][1] or 0) if row else (0, 0)
            if total > 1:
                level.u_probability = max(float(same) / (float(total) * (total - 1)), U_FLOOR)


def _train(linker: Any, timings: dict[str, float]) -> list[str]:
    """Prior from sure matches, u by random sampling, m by EM on the training rules; then smoothing and
    the monotone constraint. Returns the training rules EM could use."""
    clock = time.perf_counter()
    linker.training.estimate_probability_two_random_records_match(list(DETERMINISTIC_RULES), recall=PRIOR_RECALL)
    settings = linker._settings_obj
    prior = settings._probability_two_random_records_match
    settings._probability_two_random_records_match = min(max(prior, PRIOR_RANGE[0]), PRIOR_RANGE[1])
    linker.training.estimate_u_using_random_sampling(max_pairs=U_SAMPLE_PAIRS, seed=SEED)
    _exact_u(linker)
    timings["u"] = time.perf_counter() - clock
    clock = time.perf_counter()
    trained: list[str] = []
    for rule in TRAINING_RULES:
        snapshot = linker._settings_obj.core_model_settings.copy()
        try:
            linker.training.estimate_parameters_using_expectation_maximisation(rule, fix_u_probabilities=True)
        except Exception:  # noqa: BLE001  (a tiny index may give EM no pairs: the levels keep their values)
            # splink takes the blocked-on comparisons out of the model while it trains: put them back.
            linker._settings_obj.core_model_settings = snapshot
            continue
        trained.append(rule)
    _smooth(linker)
    _monotone(linker)
    timings["em"] = time.perf_counter() - clock
    return trained


def link(table: pa.Table, *, threshold: float = DEFAULT_THRESHOLD) -> LinkageResult:
    """Score candidate duplicate pairs among ``table``'s rows (columns :data:`COLUMNS`); keep those whose
    probability is at least ``threshold``."""
    from splink import DuckDBAPI, Linker

    _quiet_splink()
    result = LinkageResult(records=table.num_rows)
    clock = time.perf_counter()
    con = _connection()
    try:
        con.register("source_rows", table)
        nick = pa.table({"variant": list(NICKNAMES), "canonical": list(NICKNAMES.values())})
        con.register("nicknames", nick)
        con.execute(_normalised_sql("source_rows"))
        con.unregister("source_rows")
        result.timings["normalise"] = time.perf_counter() - clock
        if table.num_rows < 2:
            return result

        clock = time.perf_counter()
        db_api = DuckDBAPI(connection=con)
        people = db_api.register("people")
        linker = Linker(people, _settings(threshold), log_level=None)
        result.timings["setup"] = time.perf_counter() - clock
        trained = _train(linker, result.timings)

        clock = time.perf_counter()
        predictions = linker.inference.predict(threshold_match_probability=threshold, warning_mode="never")
        rows = predictions.as_duckdbpyrelation()
        columns = ["id_l", "id_r", "match_probability", "match_weight"]
        columns += [f"gamma_{a}" for a in ATTRIBUTES] + [f"mw_{a}" for a in ATTRIBUTES] + ["given_l", "given_r"]
        fetched = rows.select(*columns).fetchall()
        result.timings["predict"] = time.perf_counter() - clock
        result.pairs_scored = _count_blocked(con)
        result.pairs, result.multiple_births = _pairs(fetched)
        result.summary = {
            **_parameters(linker),
            "blocking_rules": [{"name": name, "rule": sql} for name, sql in PREDICTION_RULES],
            "training_rules": trained,
            "threshold": threshold,
            "engine": f"splink {_version('splink')} on duckdb {duckdb.__version__}",
            "duckdb": {"memory_limit": MEMORY_LIMIT, "temp_directory": "", "external_access": False},
        }
    finally:
        con.close()
    return result


def _version(package: str) -> str:
    from importlib.metadata import version

    return version(package)


def _count_blocked(con: duckdb.DuckDBPyConnection) -> int:
    """How many candidate pairs the prediction rules generated (each pair once)."""
    total = 0
    seen: list[str] = []
    for _, sql in PREDICTION_RULES:
        exclude = " ".join(f"AND NOT coalesce(({rule}), false)" for rule in seen)
        query = f"SELECT count(*) FROM people AS l JOIN people AS r ON {sql} AND l.id < r.id {exclude}"  # noqa: S608
        rows = con.execute(query).fetchall()
        total += int(rows[0][0]) if rows else 0
        seen.append(sql)
    return total


def _smooth(linker: Any) -> None:
    """Keep every trained level's m at least :data:`M_FLOOR` and u at least :data:`U_FLOOR`, renormalised."""
    for comparison in linker._settings_obj.comparisons:
        levels = [level for level in comparison.comparison_levels if not level.is_null_level]
        for attribute, floor in (("m_probability", M_FLOOR), ("u_probability", U_FLOOR)):
            values = [getattr(level, attribute) for level in levels]
            if any(value is None for value in values):
                continue
            floored = [max(float(value), floor) for value in values]
            total = sum(floored)
            for level, value in zip(levels, floored, strict=True):
                setattr(level, attribute, value / total)


# Levels that are stricter versions of the next one in the list: a stricter agreement is never weaker
# evidence than a looser one, so its weight is raised to the looser level's where sampling noise (few
# random pairs share a full name exactly) estimated it lower.
MONOTONE: dict[str, tuple[tuple[str, ...], ...]] = {
    "name": (("exact", "both alike (Jaro-Winkler >= 0.92)", "both similar (Jaro-Winkler >= 0.80)"),),
    "dob": (("exact", "one digit slipped or transposed"),),
    "ssn": (("exact", "one digit slipped or transposed"),),
    "contact": (
        ("same phone and address", "same phone"),
        ("same phone and address", "same street address", "same ZIP code"),
    ),
}


def _monotone(linker: Any) -> None:
    for comparison in linker._settings_obj.comparisons:
        by_label = {level.label_for_charts: level for level in comparison.comparison_levels}
        chains = MONOTONE.get(comparison.output_column_name, ())
        steps = [step for chain in chains for step in reversed(list(itertools.pairwise(chain)))]
        for stricter_label, looser_label in steps:
            stricter, looser = by_label[stricter_label], by_label[looser_label]
            m_s, u_s = stricter.m_probability, stricter.u_probability
            m_l, u_l = looser.m_probability, looser.u_probability
            if None in (m_s, u_s, m_l, u_l) or not (u_s and u_l and m_l):
                continue
            if m_s / u_s < m_l / u_l:
                stricter.u_probability = m_s * u_l / m_l


def _is_multiple_birth(levels: dict[str, str], given_left: str | None, given_right: str | None) -> bool:
    """Twins (and other multiple births) share the family name, date of birth, address and phone, and differ
    in given name and SSN: everything a Fellegi-Sunter model adds up agrees, so an MPI needs an explicit
    rule (AHIMA MPI practice brief: multiple births are a known source of false duplicate matches, and of
    overlays when merged wrongly). A pair born the same day whose given names are unrelated (the family
    name agreeing or not: a hyphenated or changed family name) and whose SSNs do not agree is left out of
    the queue unless a given name is a placeholder (a newborn registered as "Baby Girl")."""
    if levels["name"] not in {"same family name, given differs", "different"} or levels["dob"] != "exact":
        return False
    if levels["ssn"] == "exact":
        return False
    return not ({given_left, given_right} & PLACEHOLDER_GIVEN)


def _pairs(rows: Sequence[tuple[Any, ...]]) -> tuple[list[ScoredPair], int]:
    labels = _labels()
    count = len(ATTRIBUTES)
    pairs, multiple_births = [], 0
    for row in rows:
        left, right = int(row[0]), int(row[1])
        if left > right:
            left, right = right, left
        evidence = []
        levels: dict[str, str] = {}
        for position, attribute in enumerate(ATTRIBUTES):
            level = labels[attribute].get(int(row[4 + position]), "unknown")
            levels[attribute] = level
            weight = round(float(row[4 + count + position] or 0.0), 2)
            evidence.append({"attribute": attribute, "level": level, "weight": weight})
        if _is_multiple_birth(levels, row[4 + 2 * count], row[5 + 2 * count]):
            multiple_births += 1
            continue
        pairs.append(
            ScoredPair(
                left=left, right=right, probability=float(row[2]), weight=round(float(row[3]), 2), evidence=evidence
            )
        )
    return pairs, multiple_births


def as_table(rows: Sequence[Sequence[Any]]) -> pa.Table:
    """The reader's rows (in :data:`COLUMNS` order) as an Arrow table for :func:`link`."""
    columns = list(zip(*rows, strict=True)) if rows else [() for _ in COLUMNS]
    types = {"id": pa.int64()}
    return pa.table(
        {
            name: pa.array(values, type=types.get(name, pa.string()))
            for name, values in zip(COLUMNS, columns, strict=True)
        }
    )


__all__ = ["ATTRIBUTES", "COLUMNS", "DEFAULT_THRESHOLD", "LinkageResult", "ScoredPair", "as_table", "link"]
