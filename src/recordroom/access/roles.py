"""The workforce roles of an HIM department (DESIGN.md "Who uses it").

A user holds one or more roles; what each role may do is the access policy (`policies/default.toml`).
Unique user identification per person is HIPAA 164.312(a)(2)(i).
"""

from __future__ import annotations

from enum import StrEnum


class Role(StrEnum):
    HIM_CLERK = "him_clerk"
    CODER = "coder"
    CDI_SPECIALIST = "cdi_specialist"
    ROI_SPECIALIST = "roi_specialist"
    PHYSICIAN = "physician"
    REGISTRAR = "registrar"
    PRIVACY_OFFICER = "privacy_officer"
    HIM_DIRECTOR = "him_director"
    AUDITOR = "auditor"
    SYSADMIN = "sysadmin"

    @property
    def label(self) -> str:
        return ROLE_LABELS[self]

    @classmethod
    def parse(cls, value: str) -> Role:
        try:
            return cls(value.strip().lower())
        except ValueError:
            known = ", ".join(r.value for r in cls)
            raise ValueError(f"unknown role {value!r}; roles are: {known}") from None


ROLE_LABELS: dict[Role, str] = {
    Role.HIM_CLERK: "HIM clerk",
    Role.CODER: "Coder",
    Role.CDI_SPECIALIST: "CDI specialist",
    Role.ROI_SPECIALIST: "Release-of-information specialist",
    Role.PHYSICIAN: "Physician",
    Role.REGISTRAR: "Cancer registrar",
    Role.PRIVACY_OFFICER: "Privacy officer",
    Role.HIM_DIRECTOR: "HIM director",
    Role.AUDITOR: "Auditor",
    Role.SYSADMIN: "System administrator",
}

ROLE_CHOICES = [(role.value, role.label) for role in Role]
