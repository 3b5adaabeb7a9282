"""Logging helpers. Log lines carry ids and codes only, never PHI (DESIGN invariant 3)."""

from __future__ import annotations

import logging
import time

from recordroom.core.requests import current_request_id


class RequestIdFilter(logging.Filter):
    def filter(self, record: logging.LogRecord) -> bool:
        record.request_id = current_request_id.get()
        return True


class UtcFormatter(logging.Formatter):
    """Log times in UTC with a Z, whatever the facility's time zone (ONC 170.210(g): one clock)."""

    def converter(self, timestamp: float | None) -> time.struct_time:
        return time.gmtime(timestamp)

    default_time_format = "%Y-%m-%dT%H:%M:%S"
    default_msec_format = "%s.%03dZ"
