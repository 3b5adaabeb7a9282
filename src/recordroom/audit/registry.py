"""Registered audit event types (STYLE R6): each app declares an Enum of ``<app>.<past_participle>``
values in its ``audit_events.py`` and registers it in ``AppConfig.ready()``; ``record()`` refuses any
value that is not registered."""

from __future__ import annotations

import re
from enum import StrEnum

_EVENT_TYPE = re.compile(r"^[a-z][a-z_]*\.[a-z][a-z_]*$")
_registered: dict[str, StrEnum] = {}


class UnknownEventTypeError(ValueError):
    """An event type that no app registered."""


def register_event_types(enum_class: type[StrEnum]) -> None:
    for member in enum_class:
        if not _EVENT_TYPE.fullmatch(member.value):
            raise ValueError(f"audit event type {member.value!r} is not of the form app.past_participle")
        existing = _registered.get(member.value)
        if existing is not None and type(existing) is not enum_class:
            raise ValueError(f"audit event type {member.value!r} registered twice")
        _registered[member.value] = member


def registered(event_type: StrEnum) -> StrEnum:
    """The registered member for ``event_type``; raises :class:`UnknownEventTypeError`."""
    member = _registered.get(str(event_type.value) if isinstance(event_type, StrEnum) else str(event_type))
    if member is None or member is not event_type:
        raise UnknownEventTypeError(f"audit event type {event_type!s} is not registered")
    return member


def all_event_types() -> list[str]:
    return sorted(_registered)
