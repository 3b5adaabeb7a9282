"""Permissions the coding app declares (STYLE R4), each checked as a policy action on resource ``coding``
(``access/policies/default.toml``; deny by default).

Code sets themselves are not PHI, but searching them and running the edits and the grouper are coding
work: only roles the policy grants ``coding`` actions to may do them (164.308(a)(4) access authorization).
"""

from __future__ import annotations

from enum import StrEnum

from recordroom.core.vocabulary import Action


class CodingPermission(StrEnum):
    SEARCH_CODES = "coding.search_codes"
    """Look codes up in the code sets in force (ICD-10-CM, ICD-10-PCS, a loaded CPT file)."""
    CODE_ENCOUNTER = "coding.code_encounter"
    """Run the edits and the MS-DRG grouper over an encounter's codes (coders: policy action ``code``)."""

    @property
    def action(self) -> Action:
        return _ACTIONS[self]


_ACTIONS: dict[CodingPermission, Action] = {
    CodingPermission.SEARCH_CODES: Action.SEARCH,
    CodingPermission.CODE_ENCOUNTER: Action.CODE,
}
