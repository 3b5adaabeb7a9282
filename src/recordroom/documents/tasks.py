"""The scanned-paper worker loop: ``recordroom documents process-scans --watch`` runs it in the
foreground; a single-process demo server can start it as a daemon thread (``start_scan_worker``). Each
pass calls :func:`recordroom.documents.services.process_scans`, whose queue rows are the durable record of
the work (decision 0005), so stopping the loop at any point loses nothing.
"""

from __future__ import annotations

import logging
import threading

from django.db import DatabaseError, close_old_connections, connection

from recordroom.documents.services import ProcessResult, process_scans

logger = logging.getLogger("recordroom.documents")


def run_scan_worker(*, interval: float = 5.0, limit: int = 50, stop: threading.Event | None = None) -> ProcessResult:
    """Process the queue until ``stop`` is set, sleeping ``interval`` seconds when it is empty; returns
    the totals (processed, failed, retried; remaining at the last pass)."""
    stop = stop or threading.Event()
    processed = failed = retried = remaining = 0
    while not stop.is_set():
        if not connection.in_atomic_block:  # a long-running loop drops stale connections like a request does
            close_old_connections()
        try:
            result = process_scans(limit=limit)
        except DatabaseError:
            logger.warning("scan worker: the database is not available; retrying in %s s", interval)
            stop.wait(max(0.5, interval))
            continue
        processed, failed, retried = processed + result.processed, failed + result.failed, retried + result.retried
        remaining = result.remaining
        if not result.processed and not result.retried:
            stop.wait(max(0.5, interval))
    return ProcessResult(processed=processed, failed=failed, retried=retried, remaining=remaining)


def start_scan_worker(*, interval: float = 5.0) -> tuple[threading.Thread, threading.Event]:
    """Run the worker in a daemon thread beside a single-process server (the demo); returns the thread and
    the event that stops it."""
    stop = threading.Event()
    thread = threading.Thread(
        target=run_scan_worker, kwargs={"interval": interval, "stop": stop}, name="recordroom-scan-worker", daemon=True
    )
    thread.start()
    return thread, stop
