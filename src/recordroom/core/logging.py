"""Logging helpers. Log lines carry ids and codes only, never PHI (DESIGN invariant 3)."""

from __future__ import annotations

import logging

from recordroom.core.requests import current_request_id


class RequestIdFilter(logging.Filter):
    def filter(self, record: logging.LogRecord) -> bool:
        record.request_id = current_request_id.get()
        return True
