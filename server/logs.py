"""Structured logs: one JSON object per line, with the ``extra`` fields the code passes.

Log event names are stable (``batch_ingested``, ``batch_refused``,
``fork_detected``, ``ingest_hook_failed``, ``request_failed``,
``unexpected_error``) so that alerts can match them.
"""

from __future__ import annotations

import json
import logging
from datetime import UTC, datetime

_STANDARD = set(logging.LogRecord("", 0, "", 0, "", (), None).__dict__) | {"message", "asctime"}


class JsonFormatter(logging.Formatter):
    def format(self, record: logging.LogRecord) -> str:
        out: dict[str, object] = {
            "time": datetime.fromtimestamp(record.created, UTC).isoformat(timespec="milliseconds"),
            "level": record.levelname.lower(),
            "logger": record.name,
            "event": record.getMessage(),
        }
        for key, value in record.__dict__.items():
            if key not in _STANDARD and not key.startswith("_"):
                out[key] = value
        if record.exc_info:
            out["exception"] = self.formatException(record.exc_info)
        return json.dumps(out, ensure_ascii=False, default=str)


def configure(level: str = "INFO", *, json_lines: bool = True) -> None:
    """Configure the ``genba`` loggers once (idempotent)."""
    logger = logging.getLogger("genba")
    logger.setLevel(level.upper())
    if any(getattr(h, "_genba", False) for h in logger.handlers):
        return
    handler = logging.StreamHandler()
    handler._genba = True  # type: ignore[attr-defined]
    handler.setFormatter(JsonFormatter() if json_lines else logging.Formatter("%(levelname)s %(name)s %(message)s"))
    logger.addHandler(handler)
