"""The protocol's test vectors reproduce exactly, and every negative vector is refused with its code."""

from __future__ import annotations

import hashlib
import json
from pathlib import Path

import pytest
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PublicKey

from shared.batch import Batch
from shared.checkpoint import Checkpoint, Receipt
from shared.errors import GenbaError
from shared.event import Event
from shared.keys import SigningKey, VerifierKey
from shared.note import open_note, sign_note
from shared.verify import verify_batch
from tests.vectors import make_vectors

VECTORS = Path(__file__).parents[1] / "vectors"


def load(name: str) -> dict:
    return json.loads((VECTORS / name).read_text(encoding="utf-8"))


@pytest.mark.parametrize("name", sorted(make_vectors.build()))
def test_committed_vectors_equal_what_the_generator_produces(name: str) -> None:
    assert (VECTORS / name).read_text(encoding="utf-8") == make_vectors.render(make_vectors.build()[name])


@pytest.mark.parametrize("vector", load("rfc8032.json")["vectors"], ids=lambda v: v["name"])
def test_rfc8032_vectors_sign_and_verify_exactly(vector: dict) -> None:
    key = SigningKey("rfc8032", bytes.fromhex(vector["secret"]))
    message = bytes.fromhex(vector["message"])
    assert key.verifier.public.hex() == vector["public"]
    assert key.sign(message).hex() == vector["signature"]
    assert key.verifier.verify(bytes.fromhex(vector["signature"]), message)
    assert not key.verifier.verify(bytes.fromhex(vector["signature"]), message + b"x")


def test_go_reference_note_is_reproduced_byte_for_byte() -> None:
    go = load("c2sp_note.json")["go"]
    signer = SigningKey.decode(go["signer"])
    assert signer.encode() == go["signer"]
    assert signer.verifier.encode() == go["verifier"]
    assert sign_note(go["text"], signer) == go["note"]
    text, key = open_note(go["note"], [VerifierKey.decode(go["verifier"])])
    assert text == go["text"] and key.name == "PeterNeumann"


def test_c2sp_spec_example_note_verifies() -> None:
    spec = load("c2sp_note.json")["spec"]
    text, key = open_note(spec["note"], [VerifierKey.decode(spec["verifier"])])
    assert text == spec["text"] and key.name == "example.com/foo"


def test_event_vectors_hash_as_the_spec_says() -> None:
    data = load("events.json")
    head = bytes(32)
    for row in data["chain"]:
        raw = row["bytes"].encode()
        # Independent of shared.chain: the formulas of docs/protocol.md §3, written out.
        leaf = hashlib.sha256(b"\x00" + raw).digest()
        head = hashlib.sha256(head + leaf).digest()
        assert leaf.hex() == row["leaf"]
        assert head.hex() == row["head"]
        assert Event.from_bytes(raw).to_bytes() == raw


@pytest.mark.parametrize("case", load("events.json")["invalid"], ids=lambda c: c["name"])
def test_invalid_event_vectors_are_refused_with_their_code(case: dict) -> None:
    with pytest.raises(GenbaError) as info:
        Event.from_bytes(case["bytes"].encode())
    assert info.value.code == case["error"]


def test_batch_vector_verifies_and_its_signature_is_plain_ed25519() -> None:
    data = load("batch.json")
    key = VerifierKey.decode(data["device_verifier"])
    verified = verify_batch(data["batch"].encode(), lambda d, e: [key])
    assert [v.event.seq for v in verified.events] == list(range(1, 8))
    assert verified.checkpoint.text() == data["checkpoint_text"]
    # The checkpoint signature, checked with nothing but the cryptography library.
    sig_line = Batch.from_bytes(data["batch"].encode()).checkpoint.rsplit("\n", 2)[-2]
    import base64

    raw = base64.b64decode(sig_line.split(" ")[2])
    Ed25519PublicKey.from_public_bytes(key.public).verify(raw[4:], data["checkpoint_text"].encode())
    tail = verify_batch(data["batch_from_5"].encode(), lambda d, e: [key])
    assert tail.head == verified.head and tail.batch.first == 5


@pytest.mark.parametrize("case", load("batch.json")["negative"], ids=lambda c: c["name"])
def test_negative_batch_vectors_are_refused_with_their_code(case: dict) -> None:
    key = VerifierKey.decode(load("batch.json")["device_verifier"])
    with pytest.raises(GenbaError) as info:
        verify_batch(case["batch"].encode(), lambda d, e: [key])
    assert info.value.code == case["error"]


def test_receipt_vector_opens_with_the_server_key_only() -> None:
    data = load("receipt.json")
    server = VerifierKey.decode(data["server_verifier"])
    receipt = Receipt.open(data["receipt"], [server])
    assert receipt.text() == data["receipt_text"]
    assert receipt.acked == 7
    device = VerifierKey.decode(load("batch.json")["device_verifier"])
    with pytest.raises(GenbaError) as info:
        Receipt.open(data["receipt"], [device])
    assert info.value.code == "unknown_key"
    assert Checkpoint.parse(load("batch.json")["checkpoint_text"]).head == receipt.head
