"""The audit sequencer inside ``genba server run``: logs what is new every few seconds.

Several server processes may each run one: appends are serialized by the database (an advisory lock on
PostgreSQL, the write lock on SQLite), so they take turns and never log a row twice. A failing run is logged
and retried at the next tick; nothing is lost, as the sequencer works from cursors kept in the database.
"""

from __future__ import annotations

import asyncio
import logging

from starlette.concurrency import run_in_threadpool

from server.audit import service
from server.context import ServerContext

log = logging.getLogger("genba.server.audit")


async def run_sequencer(ctx: ServerContext, interval_s: float) -> None:
    while True:
        try:
            note = await run_in_threadpool(service.sequence, ctx.engine, ctx.server_key, ctx.stamp())
            if note is not None:
                log.info("audit_checkpoint", extra={"size": service.checkpoint_size(note)})
        except asyncio.CancelledError:
            raise
        except Exception:
            log.exception("audit_sequencer_failed")
        await asyncio.sleep(interval_s)
