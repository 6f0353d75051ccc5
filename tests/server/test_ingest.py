"""Ingest (ARCHITECTURE decision 4): strict, idempotent, one transaction, signed receipts; bad input stores nothing."""

from __future__ import annotations

import dataclasses
import threading

import pytest
import sqlalchemy as sa

from server import IngestedBatch, ServerContext
from server.store import schema as t
from server.store.queue import reconcile_queue
from shared.batch import BATCH_MEDIA_TYPE, Batch
from shared.canonical import canonical_bytes
from shared.checkpoint import Checkpoint, Receipt
from shared.errors import Gap, GenbaError
from shared.keys import SigningKey, VerifierKey
from tests.server.conftest import Api, Kiosk, count, snapshot


def receipt_of(resp_json: dict[str, object], kiosk: Kiosk) -> Receipt:
    assert kiosk.server_key is not None
    return Receipt.open(str(resp_json["receipt"]), [VerifierKey.decode(kiosk.server_key)])


def test_new_batch_is_stored_and_answered_with_a_receipt_signed_by_the_pinned_key(
    api: Api, kiosk: Kiosk, ctx: ServerContext
) -> None:
    kiosk.enroll(api)
    kiosk.tap(5)
    batch = kiosk.batch()
    resp = kiosk.upload(api, batch)
    assert resp.status_code == 200, resp.text
    body = resp.json()
    assert (body["outcome"], body["acked"]) == ("append", 5)
    receipt = receipt_of(body, kiosk)
    signed_head = Checkpoint.parse(batch.checkpoint.split("\n\n")[0] + "\n").head
    assert (receipt.device, receipt.epoch, receipt.acked, receipt.head) == (kiosk.device, 1, 5, signed_head)
    assert receipt.time == body["server_time"]
    assert count(ctx, "events") == 5


def test_raw_event_bytes_are_stored_exactly_as_received(api: Api, kiosk: Kiosk, ctx: ServerContext) -> None:
    kiosk.enroll(api)
    kiosk.tap(3)
    batch = kiosk.batch()
    kiosk.upload(api, batch)
    with ctx.engine.connect() as conn:
        stored = [bytes(r.data) for r in conn.execute(sa.select(t.events.c.data).order_by(t.events.c.seq))]
    assert stored == list(batch.events)


def test_resent_batch_gets_the_same_receipt_and_stores_nothing(api: Api, kiosk: Kiosk, ctx: ServerContext) -> None:
    kiosk.enroll(api)
    kiosk.tap(4)
    first = kiosk.upload(api, kiosk.batch()).json()
    before = snapshot(ctx)
    kiosk.clock.advance(3600)
    again = kiosk.upload(api, kiosk.batch())
    assert again.status_code == 200
    assert again.json()["outcome"] == "duplicate"
    assert again.json()["receipt"] == first["receipt"]  # byte-identical
    assert snapshot(ctx) == before


def test_overlapping_batch_stores_only_the_new_events(api: Api, kiosk: Kiosk, ctx: ServerContext) -> None:
    kiosk.enroll(api)
    kiosk.tap(3)
    kiosk.upload(api, kiosk.batch())
    kiosk.tap(4)
    resp = kiosk.upload(api, kiosk.batch(1))
    assert resp.json()["outcome"] == "append" and resp.json()["acked"] == 7
    assert count(ctx, "events") == 7
    assert receipt_of(resp.json(), kiosk).acked == 7


def test_older_subrange_resent_after_progress_is_a_duplicate_with_the_current_receipt(
    api: Api, kiosk: Kiosk, ctx: ServerContext
) -> None:
    kiosk.enroll(api)
    kiosk.tap(6)
    kiosk.upload(api, kiosk.batch(1, 3))
    latest = kiosk.upload(api, kiosk.batch(4)).json()
    resp = kiosk.upload(api, kiosk.batch(1, 3)).json()
    assert (resp["outcome"], resp["acked"], resp["receipt"]) == ("duplicate", 6, latest["receipt"])


def test_gap_is_refused_with_the_next_expected_seq(api: Api, kiosk: Kiosk, ctx: ServerContext) -> None:
    kiosk.enroll(api)
    kiosk.tap(10)
    kiosk.upload(api, kiosk.batch(1, 3))
    before = snapshot(ctx)
    resp = kiosk.upload(api, kiosk.batch(6))
    assert resp.status_code == 409
    assert resp.json()["code"] == "gap" and resp.json()["next_expected"] == 4
    assert resp.json()["message_ja"] and resp.json()["server_time"] == "2026-11-22T00:00:00.000Z"
    assert snapshot(ctx) == before


def fork_of(kiosk: Kiosk, batch: Batch, seq_index: int) -> Batch:
    """The same range re-signed by the same key but with one event changed: a genuine fork."""
    from shared.chain import fold
    from shared.event import Event

    events = list(batch.events)
    ev = Event.from_bytes(events[seq_index])
    events[seq_index] = dataclasses.replace(ev, direction="out" if ev.direction == "in" else "in").to_bytes()
    head = fold(batch.prev, events)
    note = Checkpoint(kiosk.device, kiosk.epoch, batch.last, head).sign(kiosk.key)
    return Batch.build(device=kiosk.device, epoch=kiosk.epoch, first=batch.first, prev=batch.prev, events=events,
                       checkpoint=note)


def test_fork_is_refused_kept_for_investigation_and_raises_an_alarm(
    api: Api, kiosk: Kiosk, ctx: ServerContext, caplog: pytest.LogCaptureFixture
) -> None:
    kiosk.enroll(api)
    kiosk.tap(5)
    good = kiosk.batch()
    kiosk.upload(api, good)
    before = snapshot(ctx)
    forked = fork_of(kiosk, good, 2)
    resp = kiosk.upload(api, forked)
    assert resp.status_code == 409
    assert resp.json()["code"] == "fork" and resp.json()["seq"] == 3
    after = snapshot(ctx)
    assert after == {**before, "forks": before["forks"] + 1}
    with ctx.engine.connect() as conn:
        kept = conn.execute(sa.select(t.forks)).one()
    assert bytes(kept.batch) == forked.to_bytes() and kept.seq == 3
    assert any(r.message == "fork_detected" and r.levelname == "ERROR" for r in caplog.records)
    metrics = api.get("/metrics").text
    assert "genba_forks_total 1.0" in metrics
    assert 'genba_batches_refused_total{reason="fork"} 1.0' in metrics


def test_forged_signature_is_refused(api: Api, kiosk: Kiosk, ctx: ServerContext) -> None:
    kiosk.enroll(api)
    kiosk.tap(3)
    batch = kiosk.batch()
    forger = SigningKey(name=kiosk.key.name, seed=bytes(32))
    note = Checkpoint(kiosk.device, 1, batch.last, Checkpoint.parse(batch.checkpoint.split("\n\n")[0] + "\n").head)
    forged = dataclasses.replace(batch, checkpoint=note.sign(forger))
    before = snapshot(ctx)
    resp = kiosk.upload(api, forged)
    # signed by a key the server never enrolled (same name, other key): not a known signature at all
    assert (resp.status_code, resp.json()["code"]) == (401, "unknown_key")
    assert snapshot(ctx) == before


def test_signature_that_does_not_verify_is_bad_signature(api: Api, kiosk: Kiosk, ctx: ServerContext) -> None:
    kiosk.enroll(api)
    kiosk.tap(3)
    batch = kiosk.batch()
    text, sigs = batch.checkpoint.split("\n\n")
    sig_name, blob = sigs.strip().split(" ")[1:]
    import base64

    raw = bytearray(base64.b64decode(blob))
    raw[10] ^= 1
    sig_line = f"\u2014 {sig_name} {base64.b64encode(bytes(raw)).decode()}\n"
    tampered = dataclasses.replace(batch, checkpoint=f"{text}\n\n{sig_line}")
    before = snapshot(ctx)
    resp = kiosk.upload(api, tampered)
    assert (resp.status_code, resp.json()["code"]) == (400, "bad_signature")
    assert snapshot(ctx) == before


def test_altered_event_breaks_the_chain(api: Api, kiosk: Kiosk, ctx: ServerContext) -> None:
    kiosk.enroll(api)
    kiosk.tap(3)
    batch = kiosk.batch()
    from shared.event import Event

    ev = Event.from_bytes(batch.events[1])
    events = list(batch.events)
    events[1] = dataclasses.replace(ev, idm="FFFFFFFFFFFFFFFF").to_bytes()
    before = snapshot(ctx)
    resp = kiosk.upload(api, dataclasses.replace(batch, events=tuple(events)))
    assert (resp.status_code, resp.json()["code"]) == (400, "broken_chain")
    assert snapshot(ctx) == before


def test_unknown_device_is_refused(api: Api, kiosk: Kiosk, ctx: ServerContext) -> None:
    kiosk.tap(2)
    before = snapshot(ctx)
    resp = kiosk.upload(api, kiosk.batch())
    assert (resp.status_code, resp.json()["code"]) == (401, "unknown_key")
    assert snapshot(ctx) == before


def test_revoked_device_is_refused(api: Api, kiosk: Kiosk, ctx: ServerContext) -> None:
    kiosk.enroll(api)
    kiosk.tap(2)
    api.admin("POST", f"/api/v1/admin/devices/{kiosk.device}/revoke")
    before = snapshot(ctx)
    resp = kiosk.upload(api, kiosk.batch())
    assert (resp.status_code, resp.json()["code"]) == (403, "revoked")
    assert snapshot(ctx) == before


def test_wrong_content_type_is_415(api: Api, kiosk: Kiosk, ctx: ServerContext) -> None:
    kiosk.enroll(api)
    kiosk.tap(1)
    before = snapshot(ctx)
    resp = kiosk.upload(api, kiosk.batch(), **{"Content-Type": "application/json"})
    assert (resp.status_code, resp.json()["code"]) == (415, "unsupported_media_type")
    assert snapshot(ctx) == before


@pytest.mark.parametrize(
    ("body", "code"),
    [
        (b"{not json", "malformed"),
        (b"", "malformed"),
        (b'["a list"]', "malformed"),
        (b'{"format":"genba.batch/1"}', "malformed"),
        (b'{"b":1, "a":2}', "not_canonical"),
        (b"\xff\xfe", "malformed"),
    ],
)
def test_malformed_bodies_are_400(api: Api, kiosk: Kiosk, ctx: ServerContext, body: bytes, code: str) -> None:
    before = snapshot(ctx)
    resp = kiosk.upload(api, body)
    assert (resp.status_code, resp.json()["code"]) == (400, code)
    assert snapshot(ctx) == before


def test_non_canonical_rendering_of_a_valid_batch_is_refused(api: Api, kiosk: Kiosk, ctx: ServerContext) -> None:
    kiosk.enroll(api)
    kiosk.tap(2)
    import json

    pretty = json.dumps(json.loads(kiosk.batch().to_bytes()), indent=1).encode()
    before = snapshot(ctx)
    resp = kiosk.upload(api, pretty)
    assert (resp.status_code, resp.json()["code"]) == (400, "not_canonical")
    assert snapshot(ctx) == before


def test_oversize_body_is_413_before_reading_it(api: Api, kiosk: Kiosk, ctx: ServerContext) -> None:
    limit = ctx.settings.max_batch_bytes
    resp = kiosk.upload(api, b"{" + b" " * limit + b"}")
    assert (resp.status_code, resp.json()["code"]) == (413, "too_large")
    assert resp.json()["limit"] == limit


def test_oversize_streamed_body_without_length_is_413(api: Api, kiosk: Kiosk, ctx: ServerContext) -> None:
    limit = ctx.settings.max_batch_bytes

    async def chunks():  # no Content-Length: chunked transfer
        for _ in range(limit // 65536 + 2):
            yield b" " * 65536

    resp = api.post("/api/v1/batches", content=chunks(), headers={"Content-Type": BATCH_MEDIA_TYPE})
    assert (resp.status_code, resp.json()["code"]) == (413, "too_large")
    assert count(ctx, "events") == 0


def test_batch_of_another_device_inside_is_wrong_device(api: Api, kiosk: Kiosk, tmp_path, ctx: ServerContext) -> None:
    kiosk.enroll(api)
    kiosk.tap(2)
    batch = kiosk.batch()
    obj = {"checkpoint": batch.checkpoint, "device": batch.device, "epoch": batch.epoch,
           "events": [e.decode() for e in batch.events], "first": 1, "format": "genba.batch/1", "last": 2,
           "prev": batch.prev.hex()}
    other = Kiosk(tmp_path / "other", device="kiosk-other1")
    other.enroll(api)
    obj["device"] = other.device
    before = snapshot(ctx)
    resp = kiosk.upload(api, canonical_bytes(obj))
    assert resp.status_code in (400, 401) and resp.json()["code"] in ("wrong_device", "unknown_key")
    assert snapshot(ctx) == before


def test_commit_listeners_get_the_new_events_and_their_queue_row_after_commit_and_never_duplicates(
    api: Api, kiosk: Kiosk, ctx: ServerContext
) -> None:
    seen: list[IngestedBatch] = []
    committed: list[tuple[int, int]] = []

    def listener(batch: IngestedBatch) -> None:
        with ctx.engine.connect() as conn:  # the events AND the queue row are visible elsewhere: committed together
            committed.append((conn.execute(sa.select(sa.func.count()).select_from(t.events)).scalar_one(),
                              conn.execute(sa.select(sa.func.count()).select_from(reconcile_queue)).scalar_one()))
        seen.append(batch)

    ctx.ingest.listeners.append(listener)
    kiosk.enroll(api)
    kiosk.tap(3)
    kiosk.upload(api, kiosk.batch())
    kiosk.upload(api, kiosk.batch())
    kiosk.tap(2)
    kiosk.upload(api, kiosk.batch(1))
    assert [[e.seq for e in b.events] for b in seen] == [[1, 2, 3], [4, 5]]
    assert committed == [(3, 1), (5, 2)]  # the duplicate re-send stored nothing and queued nothing
    assert seen[0].site == kiosk.site and seen[0].events[0].event.kind == "tap"


def test_failing_commit_listener_does_not_undo_the_ingest(api: Api, kiosk: Kiosk, ctx: ServerContext) -> None:
    def broken(_: IngestedBatch) -> None:
        raise RuntimeError("listener bug")

    ctx.ingest.listeners.insert(0, broken)
    kiosk.enroll(api)
    kiosk.tap(2)
    resp = kiosk.upload(api, kiosk.batch())
    assert resp.status_code == 200 and resp.json()["acked"] == 2
    assert count(ctx, "events") == 2
    assert count(ctx, "reconcile_queue") == 1  # still queued for reconciliation
    assert "genba_ingest_hook_failures_total 1.0" in api.get("/metrics").text


def test_concurrent_overlapping_uploads_for_one_device_never_both_insert(
    api: Api, kiosk: Kiosk, ctx: ServerContext
) -> None:
    kiosk.enroll(api)
    kiosk.tap(40)
    bodies = [kiosk.batch(1, 30).to_bytes(), kiosk.batch(1, 40).to_bytes(), kiosk.batch(1, 20).to_bytes(),
              kiosk.batch(1, 40).to_bytes()] * 2
    outcomes: list[str] = []
    errors: list[BaseException] = []
    barrier = threading.Barrier(len(bodies))

    def send(body: bytes) -> None:
        barrier.wait()
        try:
            outcomes.append(ctx.ingest.ingest(body).outcome)
        except GenbaError as exc:  # pragma: no cover - would be a failure below
            errors.append(exc)

    threads = [threading.Thread(target=send, args=(b,)) for b in bodies]
    for th in threads:
        th.start()
    for th in threads:
        th.join()
    assert errors == []
    assert count(ctx, "events") == 40
    with ctx.engine.connect() as conn:
        seqs = [r.seq for r in conn.execute(sa.select(t.events.c.seq).order_by(t.events.c.seq))]
        assert seqs == list(range(1, 41))
        assert conn.execute(sa.select(t.chains.c.last_seq)).scalar_one() == 40
    assert outcomes.count("append") >= 1


def test_gap_error_carries_next_expected_for_direct_ingest(ctx: ServerContext, api: Api, kiosk: Kiosk) -> None:
    kiosk.enroll(api)
    kiosk.tap(5)
    with pytest.raises(Gap) as info:
        ctx.ingest.ingest(kiosk.batch(3).to_bytes())
    assert info.value.next_expected == 1


def test_a_crash_inside_the_transaction_leaves_nothing_partial(
    api: Api, kiosk: Kiosk, ctx: ServerContext, monkeypatch: pytest.MonkeyPatch
) -> None:
    kiosk.enroll(api)
    kiosk.tap(5)
    original = type(ctx.ingest)._append

    def insert_then_die(self, *args, **kwargs):  # type: ignore[no-untyped-def]
        original(self, *args, **kwargs)  # the events are inserted…
        raise RuntimeError("power cut")  # …and the process dies before the chain head and receipt

    monkeypatch.setattr(type(ctx.ingest), "_append", insert_then_die)
    before = snapshot(ctx)
    with pytest.raises(RuntimeError):
        ctx.ingest.ingest(kiosk.batch().to_bytes())
    assert snapshot(ctx) == before
    monkeypatch.undo()
    resp = kiosk.upload(api, kiosk.batch())  # the device retries: accepted whole, once
    assert (resp.status_code, resp.json()["outcome"], resp.json()["acked"]) == (200, "append", 5)
    assert count(ctx, "events") == 5
