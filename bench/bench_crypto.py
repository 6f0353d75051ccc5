"""Sign, verify and chain throughput for 1,000-event batches, next to raw SHA-256 and Ed25519 in the same run.

Prints one JSON line.
"""

from __future__ import annotations

import argparse
import hashlib
import json
import time
from collections.abc import Callable

from shared.batch import Batch
from shared.chain import GENESIS, extend
from shared.checkpoint import Checkpoint
from shared.event import Event
from shared.ids import Idm
from shared.keys import SigningKey
from shared.verify import verify_batch

DEVICE = "kiosk-benchbench01"
EVENTS_PER_BATCH = 1000


def make_events(n: int) -> list[bytes]:
    return [
        Event(device=DEVICE, epoch=1, seq=i, boot="6f1c2e0a-5b7d-4c3e-9a8b-0d1e2f3a4b5c", mono_us=i * 1000,
              at="2026-11-02T07:42:05.120+09:00", kind="tap", reader="usb:054c:06c3", site="12345678901234",
              app="0.1.0", idm=Idm(f"012E{i:012X}"), direction="in").to_bytes()
        for i in range(1, n + 1)
    ]


def timed(fn: Callable[[], object], repeat: int) -> float:
    t0 = time.perf_counter()
    for _ in range(repeat):
        fn()
    return (time.perf_counter() - t0) / repeat


def main(argv: list[str] | None = None) -> dict[str, object]:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--batches", type=int, default=20, help="how many 1,000-event batches to time")
    parser.add_argument("--quick", action="store_true")
    args = parser.parse_args(argv)
    repeat = 2 if args.quick else args.batches
    key = SigningKey.generate(f"{DEVICE}.e1")
    events = make_events(EVENTS_PER_BATCH)

    def chain() -> bytes:
        head = GENESIS
        for data in events:
            head = extend(head, data)
        return head

    def raw_sha() -> None:
        for data in events:
            hashlib.sha256(data).digest()

    def build() -> bytes:
        cp = Checkpoint(DEVICE, 1, EVENTS_PER_BATCH, chain()).sign(key)
        return Batch.build(device=DEVICE, epoch=1, first=1, prev=GENESIS, events=events, checkpoint=cp).to_bytes()

    body = build()
    keys = lambda d, e: [key.verifier]  # noqa: E731

    def verify() -> None:
        verify_batch(body, keys)

    def per_event_sign() -> None:  # what the journal does at append time
        head = GENESIS
        for i, data in enumerate(events, 1):
            head = extend(head, data)
            key.sign(Checkpoint(DEVICE, 1, i, head).text().encode())

    msg = b"x" * 120
    sig = key.sign(msg)
    n = 2000
    raw_sign = timed(lambda: key.sign(msg), n)
    raw_verify = timed(lambda: key.verifier.verify(sig, msg), n)
    result = {
        "bench": "batch_crypto",
        "events_per_batch": EVENTS_PER_BATCH,
        "batch_bytes": len(body),
        "chain_events_per_s": round(EVENTS_PER_BATCH / timed(chain, repeat)),
        "baseline_raw_sha256_per_s": round(EVENTS_PER_BATCH / timed(raw_sha, repeat)),
        "build_and_sign_batches_per_s": round(1 / timed(build, repeat), 1),
        "verify_batches_per_s": round(1 / timed(verify, repeat), 1),
        "verify_events_per_s": round(EVENTS_PER_BATCH / timed(verify, repeat)),
        "journal_checkpoint_signs_per_s": round(EVENTS_PER_BATCH / timed(per_event_sign, max(1, repeat // 4))),
        "baseline_raw_ed25519_sign_per_s": round(1 / raw_sign),
        "baseline_raw_ed25519_verify_per_s": round(1 / raw_verify),
    }
    print(json.dumps(result))
    return result


if __name__ == "__main__":
    main()
