"""Ed25519 keys in C2SP key text, key files that refuse loose permissions, and signed notes."""

from __future__ import annotations

import os
from pathlib import Path

import pytest

from shared.checkpoint import Checkpoint, Receipt
from shared.errors import BadSignature, FormatError, KeyFileMissing, KeyFilePermissions, UnknownKey
from shared.keys import SigningKey, VerifierKey, key_hash
from shared.note import open_note, sign_note, split_note


def test_key_text_round_trips_and_checks_its_hash() -> None:
    key = SigningKey.generate("kiosk-abc.e1")
    assert SigningKey.decode(key.encode()) == key
    assert VerifierKey.decode(key.verifier.encode()) == key.verifier
    name, h, blob = key.verifier.encode().split("+", 2)
    with pytest.raises(FormatError, match="hash"):
        VerifierKey.decode(f"{name}+00000000+{blob}")
    with pytest.raises(FormatError):
        VerifierKey.decode("name+1234")
    with pytest.raises(FormatError, match="base64"):
        VerifierKey.decode(f"{name}+{h}+!!!")


def test_a_key_text_read_again_is_the_same_key_and_a_refused_one_stays_refused() -> None:
    """decode remembers the keys it built (a journal's epochs are read every upload cycle), never a refusal."""
    key = SigningKey.generate("gate-1").verifier
    text = key.encode()
    first = VerifierKey.decode(text)
    assert first == key and VerifierKey.decode(text) is first
    assert first.hash == key_hash("gate-1", key.public)
    forged = text.replace("gate-1+", "gate-2+", 1)  # the hash no longer matches the name
    for _ in range(2):
        with pytest.raises(FormatError, match="hash does not match"):
            VerifierKey.decode(forged)
    other = SigningKey.generate("gate-1").verifier  # same name, another key: another text, another key
    assert VerifierKey.decode(other.encode()) == other != first


def test_key_file_is_created_0600_and_never_overwritten(tmp_path: Path) -> None:
    key = SigningKey.generate("dev.e1")
    path = tmp_path / "keys" / "device-e1.key"
    key.save(path)
    assert (path.stat().st_mode & 0o777) == 0o600
    assert SigningKey.load(path) == key
    with pytest.raises(FileExistsError):
        SigningKey.generate("dev.e1").save(path)
    assert SigningKey.load(path) == key


@pytest.mark.parametrize("mode", [0o640, 0o604, 0o660, 0o644])
def test_key_file_readable_by_others_is_refused(tmp_path: Path, mode: int) -> None:
    path = tmp_path / "device.key"
    SigningKey.generate("dev.e1").save(path)
    os.chmod(path, mode)
    with pytest.raises(KeyFilePermissions, match="chmod 600"):
        SigningKey.load(path)


def test_missing_key_file_is_a_typed_error(tmp_path: Path) -> None:
    with pytest.raises(KeyFileMissing):
        SigningKey.load(tmp_path / "nope.key")


def test_note_verifies_only_with_the_right_key_and_untampered_text() -> None:
    alice, mallory = SigningKey.generate("alice"), SigningKey.generate("mallory")
    note = sign_note("hello\nworld\n", alice)
    assert open_note(note, [alice.verifier]) == ("hello\nworld\n", alice.verifier)
    with pytest.raises(UnknownKey):
        open_note(note, [mallory.verifier])
    with pytest.raises(BadSignature):
        open_note(note.replace("world", "w0rld"), [alice.verifier])
    # A second signature by an unknown key is ignored, as the spec requires.
    both = note + sign_note("hello\nworld\n", mallory).split("\n\n", 1)[1]
    assert open_note(both, [alice.verifier])[1] == alice.verifier


@pytest.mark.parametrize("bad", [
    "no signature block\n", "text\n\n", "text\n\n— alice\n", "text\n\n- alice AAAA\n",
    "text\n\n— alice !!!!\n", "text\n\n— alice AAAA\n", "\n\n— alice AAAA\n", "x" * 5000,
])
def test_malformed_notes_are_refused(bad: str) -> None:
    with pytest.raises(FormatError):
        split_note(bad)


def test_checkpoint_and_receipt_texts_are_strict() -> None:
    cp = Checkpoint("kiosk-abc", 1, 42, bytes(range(32)))
    assert Checkpoint.parse(cp.text()) == cp
    for bad in (cp.text().replace("seq 42", "seq 042"), cp.text().replace("epoch 1\n", ""),
                cp.text().replace("genba checkpoint v1", "genba checkpoint v2"),
                cp.text().replace(bytes(range(32)).hex(), "ab" * 31)):
        with pytest.raises(FormatError):
            Checkpoint.parse(bad)
    receipt = Receipt("kiosk-abc", 1, 42, bytes(32), "2026-11-02T08:00:00.000Z")
    assert Receipt.parse(receipt.text()) == receipt
    with pytest.raises(FormatError):
        Receipt.parse(receipt.text().replace("time 2026-11-02T08:00:00.000Z", "time yesterday"))
