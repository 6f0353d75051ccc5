"""The audit log, for anyone to check: its newest signed checkpoint and inclusion and consistency proofs.

Public like a Certificate Transparency log's read API: answers carry hashes, signed checkpoints and event
entries (device, sequence number, hashes and server times; no names, no card numbers). What the log is:
server.audit.service; the byte format: docs/protocol.md §9.
"""

from __future__ import annotations

import base64
from typing import Annotated

from fastapi import APIRouter, Path, Query
from pydantic import BaseModel, Field
from starlette.concurrency import run_in_threadpool

from server.api.deps import Context
from server.api.models import ErrorBody
from server.audit import service
from server.audit.errors import BadProofRequest, NotLogged
from shared.ids import check_device_id
from shared.merkle import ProofError

router = APIRouter(prefix="/log", tags=["audit log"])


class CheckpointOut(BaseModel):
    checkpoint: str = Field(description="The newest signed log checkpoint (C2SP signed note).")


class InclusionOut(BaseModel):
    index: int
    size: int
    entry: str = Field(description="The entry's canonical bytes, base64.")
    proof: list[str] = Field(description="Inclusion proof hashes, base64, leaf side first (RFC 9162 §2.1.3).")
    checkpoint: str = Field(description="The signed checkpoint of `size` entries the proof leads to.")


class ConsistencyOut(BaseModel):
    first: int
    second: int
    proof: list[str] = Field(description="Consistency proof hashes, base64 (RFC 9162 §2.1.4).")


def _b64(items: list[bytes]) -> list[str]:
    return [base64.b64encode(x).decode() for x in items]


@router.get("/checkpoint", response_model=CheckpointOut, responses={404: {"model": ErrorBody}})
async def checkpoint(ctx: Context) -> CheckpointOut:
    """The newest signed checkpoint of the audit log (404 `not_logged` before anything was logged)."""
    def read() -> str | None:
        with ctx.engine.connect() as conn:
            return service.latest_checkpoint(conn)

    note = await run_in_threadpool(read)
    if note is None:
        raise NotLogged("the audit log is still empty")
    return CheckpointOut(checkpoint=note)


@router.get("/events/{device}/{epoch}/{seq}", response_model=InclusionOut,
            responses={400: {"model": ErrorBody}, 404: {"model": ErrorBody}})
async def event_inclusion(ctx: Context, device: Annotated[str, Path(max_length=63)],
                          epoch: Annotated[int, Path(ge=1, le=2**31)],
                          seq: Annotated[int, Path(ge=1, le=2**53)]) -> InclusionOut:
    """Where one event stands in the log, with its inclusion proof against the newest checkpoint."""
    check_device_id(device)

    def read() -> service.Inclusion | None:
        with ctx.engine.connect() as conn:
            return service.event_inclusion(conn, device, epoch, seq)

    found = await run_in_threadpool(read)
    if found is None:
        raise NotLogged(f"event {device} epoch {epoch} seq {seq} is not in the audit log (yet)")
    return InclusionOut(index=found.index, size=found.size, entry=base64.b64encode(found.entry).decode(),
                        proof=_b64(found.proof), checkpoint=found.checkpoint)


@router.get("/consistency", response_model=ConsistencyOut,
            responses={400: {"model": ErrorBody}})
async def consistency(ctx: Context, first: Annotated[int, Query(ge=0, le=2**53)],
                      second: Annotated[int, Query(ge=0, le=2**53)]) -> ConsistencyOut:
    """Proof that the log of `second` entries extends the one of `first` (both must be checkpoint sizes)."""
    def read() -> list[bytes]:
        with ctx.engine.connect() as conn:
            known = service.is_checkpoint_size
            if not known(conn, second) or (first and not known(conn, first)):
                raise BadProofRequest(f"no signed checkpoint of size {first} and {second}", first=first,
                                      second=second)
            try:
                return service.consistency(conn, first, second)
            except ProofError as exc:
                raise BadProofRequest(str(exc), first=first, second=second) from None

    return ConsistencyOut(first=first, second=second, proof=_b64(await run_in_threadpool(read)))
