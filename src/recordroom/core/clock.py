"""The one time source (STYLE R15): aware UTC, replaceable in tests."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from contextlib import contextmanager
from datetime import UTC, datetime, timedelta

_source: Callable[[], datetime] = lambda: datetime.now(UTC)  # noqa: E731


EPOCH = datetime(1970, 1, 1, tzinfo=UTC)
MICROSECOND = timedelta(microseconds=1)


def now() -> datetime:
    return _source()


def to_microseconds(moment: datetime) -> int:
    """Microseconds since 1970-01-01 UTC, exactly (no float rounding); the audit trail's time unit."""
    return (moment - EPOCH) // MICROSECOND


def from_microseconds(value: int) -> datetime:
    return EPOCH + value * MICROSECOND


@contextmanager
def frozen(at: datetime) -> Iterator[Callable[[datetime], None]]:
    """Fix the clock at ``at`` (aware) for the block; the yielded function moves it."""
    global _source  # noqa: PLW0603
    if at.tzinfo is None:
        raise ValueError("the clock only holds aware datetimes")
    previous = _source
    current = [at]

    def move_to(when: datetime) -> None:
        current[0] = when

    _source = lambda: current[0]  # noqa: E731
    try:
        yield move_to
    finally:
        _source = previous
