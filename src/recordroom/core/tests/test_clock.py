from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest

from recordroom.core import clock


def test_now_is_aware_utc():
    assert clock.now().tzinfo is not None
    assert clock.now().utcoffset() == timedelta(0)


def test_frozen_clock_moves_only_when_told():
    start = datetime(2025, 3, 1, 10, 0, tzinfo=UTC)
    with clock.frozen(start) as move_to:
        assert clock.now() == start
        move_to(start + timedelta(minutes=15))
        assert clock.now() == start + timedelta(minutes=15)
    assert clock.now() != start


def test_frozen_clock_refuses_naive_times():
    with pytest.raises(ValueError, match="aware"), clock.frozen(datetime(2025, 3, 1)):  # noqa: DTZ001
        pass
