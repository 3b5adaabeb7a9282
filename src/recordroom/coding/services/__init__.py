"""The coding app's services (STYLE R2): code sets, search, edits and MS-DRG grouping."""

from recordroom.coding.services.checking import (
    check_encounter,
    group_checked,
    group_encounter,
    grouper_version_for,
    validate_encounter,
)
from recordroom.coding.services.codesets import code_set_for, fiscal_year_of, load_code_sets
from recordroom.coding.services.reference import load_cpt, load_weights
from recordroom.coding.services.search import find_codes, search_codes

__all__ = [
    "check_encounter",
    "code_set_for",
    "find_codes",
    "fiscal_year_of",
    "group_checked",
    "group_encounter",
    "grouper_version_for",
    "load_code_sets",
    "load_cpt",
    "load_weights",
    "search_codes",
    "validate_encounter",
]
