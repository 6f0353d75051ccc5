"""Write Genba's protocol test vectors into tests/vectors/*.json, deterministically.

Run: ``uv run python -m tests.vectors.make_vectors`` (rewrites the files; the
test suite fails if the committed files differ from what this produces, so a
protocol change can never slip in unnoticed). How each vector was made is in
tests/vectors/README.md.
"""

from __future__ import annotations

import hashlib
import json
from pathlib import Path
from typing import Any

from shared.batch import Batch
from shared.chain import GENESIS, extend, leaf_hash
from shared.checkpoint import Checkpoint, Receipt
from shared.event import Event
from shared.keys import SigningKey

HERE = Path(__file__).parent
DEVICE = "kiosk-0a1b2c3d4e5f"
SITE = "12345678901234"
BOOT = "6f1c2e0a-5b7d-4c3e-9a8b-0d1e2f3a4b5c"


def fixed_key(name: str, label: str) -> SigningKey:
    """A key whose seed is SHA-256 of a public label: reproducible, and obviously not secret."""
    return SigningKey(name, hashlib.sha256(label.encode()).digest())


DEVICE_KEY = fixed_key(f"{DEVICE}.e1", "genba test vector device key e1")
OTHER_KEY = fixed_key(f"{DEVICE}.e1", "genba test vector attacker key")
SERVER_KEY = fixed_key("genba-server-test", "genba test vector server key")


def sample_events() -> list[Event]:
    base = {"device": DEVICE, "epoch": 1, "boot": BOOT, "reader": "usb:054c:06c3", "site": SITE, "app": "0.1.0"}
    return [
        Event(seq=1, mono_us=3_600_000_000, at="2026-11-02T07:42:05.120+09:00", kind="tap",
              idm="012E4CD81A2B3C4D", direction="in", **base),
        Event(seq=2, mono_us=3_601_500_000, at="2026-11-02T07:42:06.620+09:00", kind="repeat",
              idm="012E4CD81A2B3C4D", direction="in", ref=1, **base),
        Event(seq=3, mono_us=3_700_000_000, at="2026-11-02T07:43:44.000+09:00", kind="tap",
              idm="0114B3E7C9D2A0F1", direction="in", **base),
        Event(seq=4, mono_us=3_710_000_000, at="2026-11-02T07:43:54.000+09:00", kind="amend",
              direction="out", ref=3, reason="入場と退場の押し間違い", **base),
        Event(seq=5, mono_us=3_800_000_000, at="2026-11-02T07:45:24.000+09:00", kind="bind",
              idm="0114B3E7C9D2A0F1", worker="10000000000042", **base),
        Event(seq=6, mono_us=3_900_000_000, at="2026-11-02T07:47:04.000+09:00", kind="manual",
              worker="10000000000077", direction="in", claimed_at="2026-11-02T07:30:00.000+09:00",
              reason="カード忘れ", **base),
        Event(seq=7, mono_us=39_600_000_000, at="2026-11-02T17:41:05.000+09:00", kind="tap",
              idm="012E4CD81A2B3C4D", direction="out", **base),
    ]


def chain_table(events: list[Event]) -> list[dict[str, Any]]:
    head = GENESIS
    rows = []
    for e in events:
        data = e.to_bytes()
        head = extend(head, data)
        rows.append({"seq": e.seq, "bytes": data.decode(), "leaf": leaf_hash(data).hex(), "head": head.hex()})
    return rows


def signed_batch(events: list[Event], key: SigningKey, first: int = 1) -> Batch:
    head = GENESIS
    prev = GENESIS
    datas = []
    for e in events:
        data = e.to_bytes()
        head = extend(head, data)
        if e.seq < first:
            prev = head
        else:
            datas.append(data)
    cp = Checkpoint(DEVICE, 1, events[-1].seq, head)
    return Batch.build(device=DEVICE, epoch=1, first=first, prev=prev, events=datas, checkpoint=cp.sign(key))


def negative_cases(events: list[Event]) -> list[dict[str, Any]]:
    good = signed_batch(events, DEVICE_KEY)
    good_obj = json.loads(good.to_bytes())

    def batch_with(**changes: Any) -> str:
        obj = dict(good_obj, **changes)
        return json.dumps(obj, ensure_ascii=False, sort_keys=True, separators=(",", ":"))

    tampered = list(good_obj["events"])
    tampered[2] = tampered[2].replace("0114B3E7C9D2A0F1", "0114B3E7C9D2A0F2")
    swapped = list(good_obj["events"])
    swapped[1], swapped[2] = swapped[2], swapped[1]
    missing = good_obj["events"][:3] + good_obj["events"][4:]
    return [
        {"name": "tampered event bytes", "batch": batch_with(events=tampered), "error": "broken_chain"},
        {"name": "two events swapped", "batch": batch_with(events=swapped), "error": "broken_chain"},
        {"name": "event missing from the middle", "batch": batch_with(events=missing, last=6), "error": "gap"},
        {"name": "signed by another key of the same name", "error": "unknown_key",
         "batch": signed_batch(events, OTHER_KEY).to_bytes().decode()},
        {"name": "signature bytes altered", "error": "bad_signature", "batch": batch_with(
            checkpoint=good_obj["checkpoint"].replace(good_obj["checkpoint"][-6:-2], "AAAA"))},
        {"name": "events of another device", "error": "wrong_device", "batch": batch_with(
            events=[e.replace(DEVICE, "kiosk-ffffffffffff") for e in good_obj["events"]])},
        {"name": "not canonical (whitespace added)", "batch": good.to_bytes().decode().replace(",", ", ", 1),
         "error": "not_canonical"},
        {"name": "last does not match the events", "batch": batch_with(last=9), "error": "malformed"},
        {"name": "unknown batch format", "batch": batch_with(format="genba.batch/9"), "error": "malformed"},
        {"name": "not JSON", "batch": "{\"device\":", "error": "malformed"},
    ]


def bad_events() -> list[dict[str, str]]:
    ok = sample_events()[0].as_dict()

    def variant(**changes: Any) -> str:
        obj = {**ok, **changes}
        obj = {k: v for k, v in obj.items() if v is not None}
        return json.dumps(obj, ensure_ascii=False, sort_keys=True, separators=(",", ":"))

    return [
        {"name": "IDm not hex", "bytes": variant(idm="012E4CD81A2B3CZZ"), "error": "invalid_idm"},
        {"name": "IDm 15 digits", "bytes": variant(idm="012E4CD81A2B3C4"), "error": "invalid_idm"},
        {"name": "IDm lower case", "bytes": variant(idm="012e4cd81a2b3c4d"), "error": "invalid_idm"},
        {"name": "wall clock without offset", "bytes": variant(at="2026-11-02T07:42:05"), "error": "invalid_timestamp"},
        {"name": "wall clock not a date", "bytes": variant(at="2026-02-30T07:42:05Z"), "error": "invalid_timestamp"},
        {"name": "seq zero", "bytes": variant(seq=0), "error": "malformed"},
        {"name": "unknown field", "bytes": variant(extra=1), "error": "malformed"},
        {"name": "tap without direction", "bytes": variant(direction=None), "error": "malformed"},
        {"name": "site id not 14 digits", "bytes": variant(site="1234"), "error": "invalid_id"},
    ]


def build() -> dict[str, Any]:
    events = sample_events()
    batch = signed_batch(events, DEVICE_KEY)
    tail = signed_batch(events, DEVICE_KEY, first=5)
    receipt = Receipt(DEVICE, 1, 7, bytes.fromhex(chain_table(events)[-1]["head"]), "2026-11-02T08:47:10.000Z")
    return {
        "events.json": {
            "device_key": {"signer": DEVICE_KEY.encode(), "verifier": DEVICE_KEY.verifier.encode()},
            "chain": chain_table(events),
            "invalid": bad_events(),
        },
        "batch.json": {
            "device_verifier": DEVICE_KEY.verifier.encode(),
            "checkpoint_text": Checkpoint(DEVICE, 1, 7, bytes.fromhex(chain_table(events)[-1]["head"])).text(),
            "batch": batch.to_bytes().decode(),
            "batch_from_5": tail.to_bytes().decode(),
            "negative": negative_cases(events),
        },
        "receipt.json": {
            "server_signer": SERVER_KEY.encode(),
            "server_verifier": SERVER_KEY.verifier.encode(),
            "receipt_text": receipt.text(),
            "receipt": receipt.sign(SERVER_KEY),
        },
        "audit_log.json": audit_log(events),
    }


def audit_log(events: list[Event]) -> dict[str, Any]:
    """The server's audit log over these seven events and one decision row (docs/protocol.md §9)."""
    from server.audit.service import event_entry_of, row_entry_of
    from shared.merkle import MemoryTree, consistency_proof, inclusion_proof, leaf_hash
    from shared.tlog import LogCheckpoint, log_origin

    table = chain_table(events)
    entries = []
    for ev, link in zip(events, table, strict=True):
        values = {"device": ev.device, "epoch": ev.epoch, "seq": ev.seq, "data": link["bytes"].encode(),
                  "head": bytes.fromhex(link["head"]), "site": ev.site, "kind": ev.kind, "at": ev.at,
                  "boot": ev.boot, "mono_us": ev.mono_us, "server_at": "2026-11-02T08:47:09.000Z",
                  "time_flags": "", "received_at": "2026-11-02T08:47:10.000Z"}
        entries.append(event_entry_of(values)[1])
    entries.append(row_entry_of("dom_card_bindings", {"id": 1, "idm": "012E4CB3D1A2F056", "worker": "12345678901234",
                                                      "valid_from": "2026-11-01", "valid_to": None})[1])
    tree = MemoryTree()
    for data in entries:
        tree.append(leaf_hash(data))
    checkpoint = LogCheckpoint(log_origin(SERVER_KEY.name), tree.size, tree.root(), "2026-11-02T08:47:12.000Z")
    return {
        "server_verifier": SERVER_KEY.verifier.encode(),
        "entries": [{"bytes": d.decode(), "leaf": leaf_hash(d).hex()} for d in entries],
        "root": tree.root().hex(),
        "checkpoint_text": checkpoint.text(),
        "checkpoint": checkpoint.sign(SERVER_KEY),
        "inclusion": {"index": 2, "size": tree.size, "proof": [p.hex() for p in inclusion_proof(tree, 2, 8)]},
        "consistency": {"first": 3, "second": tree.size, "root_first": tree.root(3).hex(),
                        "proof": [p.hex() for p in consistency_proof(tree, 3, 8)]},
    }


def render(value: Any) -> str:
    return json.dumps(value, ensure_ascii=False, indent=2) + "\n"


def main() -> None:
    for name, value in build().items():
        (HERE / name).write_text(render(value), encoding="utf-8")
        print(f"wrote {HERE / name}")


if __name__ == "__main__":
    main()
