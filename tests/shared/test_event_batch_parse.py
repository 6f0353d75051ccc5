"""A batch's events parsed in one pass (``events_from_bytes``) accept exactly what ``Event.from_bytes`` accepts.

The one-pass form parses ``[item,item,…]`` with one ``json.loads`` and then compares each object's canonical
encoding with its item's bytes. These tests mutate valid events in the ways a sender could (bytes flipped,
spaces, escapes, other key order, duplicate, unknown and null fields, numbers as floats or too long, deep
nesting, lone surrogates, items that straddle each other's brackets, ``},{`` inside a text) and require:
the one-pass form returns the same events when every item is valid and None otherwise, and ``verify_batch``
refuses with the same error (class, code and message) as verifying item by item.
"""

from __future__ import annotations

import json
import random
from collections.abc import Callable

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from shared.batch import Batch
from shared.chain import GENESIS, fold
from shared.checkpoint import Checkpoint
from shared.errors import FormatError, GenbaError, WrongDevice
from shared.event import Event, events_from_bytes
from shared.keys import SigningKey
from shared.verify import verify_batch

DEVICE = "kiosk-0a1b2c3d4e5f"
BOOT = "6f1c2e0a-5b7d-4c3e-9a8b-0d1e2f3a4b5c"


def tap(seq: int, **change: object) -> Event:
    fields: dict[str, object] = dict(device=DEVICE, epoch=1, seq=seq, boot=BOOT, mono_us=1000 * seq,
                                     at=f"2026-11-02T07:{seq % 60:02d}:05.120+09:00", kind="tap", reader="sim",
                                     site="12345678901234", app="0.1.0", idm=f"012E4CD81A2B{seq % 4096:04X}",
                                     direction="in" if seq % 2 else "out")
    fields.update(change)
    return Event(**fields)  # type: ignore[arg-type]


def valid_items(n: int) -> list[bytes]:
    items = [tap(i).to_bytes() for i in range(1, n + 1)]
    items[1] = tap(2, kind="amend", idm=None, ref=1, reason="押し間違い },{ \"x\"").to_bytes()
    items[2] = tap(3, kind="manual", idm=None, worker="12345678901234", claimed_at="2026-11-02T07:00:00+09:00",
                   site="").to_bytes()
    return items


def one_by_one(items: list[bytes]) -> list[Event] | None:
    try:
        return [Event.from_bytes(d) for d in items]
    except GenbaError:
        return None


MUTATIONS: list[tuple[str, bytes]] = [
    ('"v":1', b'"v":1.0'), ('"v":1', b'"v":1e0'), ('"v":1', b'"v" :1'), ('"v":1', b'"v":true'),
    ('"epoch":1', b'"epoch":01'), ('"epoch":1', b'"epoch":"1"'), ('"epoch":1', b'"epoch":' + b"9" * 80),
    ('"app":"0.1.0"', b'"app":"0.1.\\u0030"'), ('"app":"0.1.0"', b'"app":"0.1.0","app":"0.1.0"'),
    ('"app":"0.1.0"', b'"app":"0.1.0","zz":1'), ('"app":"0.1.0"', b'"app":"0.1.0","ref":null'),
    ('"app":"0.1.0"', b'"app":"\\ud800"'), ('"app":"0.1.0"', b'"app":"0.1.0","zz":' + b"[" * 3000 + b"]" * 3000),
    ('"app":"0.1.0"', b'"app":["0.1.0"]'), ('"at":"', b'"at":"x'), ('"kind":"tap"', b'"kind":"tip"'),
    ('"boot":', b'"boot":null,"boot2":'), ('{"app"', b' {"app"'), ('"}', b'"} '), ('"}', b'"}\n'),
]


def mutate(items: list[bytes], rng: random.Random) -> list[bytes]:
    out = list(items)
    i = rng.randrange(len(out))
    choice = rng.randrange(6)
    if choice == 0 and out[i]:  # a byte flipped
        data = bytearray(out[i])
        data[rng.randrange(len(data))] ^= 1 << rng.randrange(8)
        out[i] = bytes(data)
    elif choice == 1:  # a textual mutation from the list (when it applies)
        old, new = rng.choice(MUTATIONS)
        out[i] = out[i].replace(old.encode(), new, 1)
    elif choice == 2 and i + 1 < len(out) and len(out[i]) > 1:  # two items that straddle: the join still parses
        a, b = out[i], out[i + 1]
        cut = rng.randrange(1, len(a))
        out[i], out[i + 1] = a[:cut], a[cut:] + b"," + b
    elif choice == 3:  # keys in another order (valid JSON, not canonical)
        out[i] = reencoded(out[i], lambda obj: json.dumps(dict(reversed(list(obj.items()))), separators=(",", ":"),
                                                          ensure_ascii=False))
    elif choice == 4:  # an item that is two objects, the next one emptied into it
        if i + 1 < len(out):
            out[i], out[i + 1] = out[i] + b"," + out[i + 1], b""
    else:  # escaped non-ASCII (valid JSON, not canonical)
        out[i] = reencoded(out[i], lambda obj: json.dumps(obj, separators=(",", ":"), sort_keys=True))
    return out


def reencoded(data: bytes, dump: Callable[[dict[str, object]], str]) -> bytes:
    """``data`` parsed and written again by ``dump`` (unchanged when an earlier mutation broke it)."""
    try:
        obj = json.loads(data)
        return dump(obj).encode("utf-8", "surrogatepass") if isinstance(obj, dict) else data
    except (ValueError, RecursionError):
        return data


def error_of(fn: object) -> tuple[type, str, str] | None:
    try:
        fn()  # type: ignore[operator]
    except GenbaError as exc:
        return type(exc), exc.code, exc.message
    return None


def test_valid_items_parse_to_the_same_events() -> None:
    items = valid_items(50)
    fast = events_from_bytes(items)
    assert fast is not None and fast == one_by_one(items)
    assert [e.to_bytes() for e in fast] == items


@settings(max_examples=400, deadline=None)
@given(st.integers(min_value=0, max_value=2**32), st.integers(min_value=1, max_value=3))
def test_a_mutated_batch_is_refused_by_the_one_pass_form_exactly_when_one_by_one_refuses(seed: int,
                                                                                        times: int) -> None:
    rng = random.Random(seed)
    items = valid_items(6)
    for _ in range(times):
        items = mutate(items, rng)
    expected = one_by_one(items)
    got = events_from_bytes(items)
    assert got == expected


def signed(items: list[bytes], key: SigningKey) -> Batch:
    head = fold(GENESIS, items)
    note = Checkpoint(DEVICE, 1, len(items), head).sign(key)
    return Batch.build(device=DEVICE, epoch=1, first=1, prev=GENESIS, events=items, checkpoint=note)


def reference_error(batch: Batch) -> tuple[type, str, str] | None:
    """What verify_batch refused with before the one-pass form: the first item's error, position-tagged."""
    for position, data in enumerate(batch.events):
        try:
            event = Event.from_bytes(data)
        except FormatError as exc:
            return type(exc), exc.code, f"event at position {position}: {exc.message}"
        if (event.device, event.epoch) != (batch.device, batch.epoch):
            exc2 = WrongDevice(f"event seq {event.seq} belongs to {event.device} epoch {event.epoch}")
            return WrongDevice, exc2.code, exc2.message
    return None


@pytest.mark.parametrize("seed", range(60))
def test_verify_batch_refuses_a_mutated_batch_with_the_same_error(seed: int) -> None:
    key = SigningKey.generate(f"{DEVICE}.e1")
    rng = random.Random(seed)
    items = mutate(valid_items(6), rng)
    if seed % 7 == 0:  # and an event of another device, after or before the damage
        items[rng.randrange(len(items))] = tap(4, device="kiosk-ffffffffffff").to_bytes()
    batch = signed([i for i in items if i] or [b"{}"], key)
    expected = reference_error(batch)
    got = error_of(lambda: verify_batch(batch, lambda _d, _e: [key.verifier]))
    if expected is None:  # every item valid: whatever verify_batch says is about the chain, not the items
        assert got is None or got[0] is not FormatError
    else:
        assert got == expected


def test_a_valid_batch_verifies_with_the_one_pass_form() -> None:
    key = SigningKey.generate(f"{DEVICE}.e1")
    items = valid_items(20)
    verified = verify_batch(signed(items, key), lambda _d, _e: [key.verifier])
    assert [ve.event for ve in verified.events] == one_by_one(items)
    assert [ve.data for ve in verified.events] == items
