"""Every error the shared core raises, as one tree.

Each error carries a stable machine-readable ``code`` (used verbatim in HTTP
error bodies and CLI messages) and a human message. Boundaries translate
foreign exceptions (``json``, ``cryptography``, ``sqlite3``, ``OSError``) into
these; nothing above ``shared`` should have to catch a third-party error.

    GenbaError
    ├── FormatError                code "malformed"      bytes or text that are not what the protocol says
    │   ├── InvalidIdm             code "invalid_idm"
    │   ├── InvalidTimestamp       code "invalid_timestamp"
    │   ├── InvalidId              code "invalid_id"
    │   └── NotCanonical           code "not_canonical"
    ├── KeyError_                  code "key_error"      key files
    │   ├── KeyFilePermissions     code "key_permissions"
    │   └── KeyFileMissing         code "key_missing"
    ├── VerificationError          code "verification"   a batch or receipt that does not verify
    │   ├── BadSignature           code "bad_signature"
    │   ├── UnknownKey             code "unknown_key"
    │   ├── BrokenChain            code "broken_chain"
    │   ├── Gap                    code "gap"            .next_expected
    │   ├── Fork                   code "fork"           .seq
    │   ├── WrongDevice            code "wrong_device"
    │   └── TooLarge               code "too_large"
    └── JournalError               code "journal"
        ├── JournalBusy            code "journal_busy"   another process holds the writer lock
        ├── JournalWriteFailed     code "journal_write_failed"  (disk full, read-only) — the tap was NOT recorded
        ├── ForeignJournal         code "foreign_journal"  a journal of another device
        ├── JournalDamaged         code "journal_damaged"  .first_bad_seq
        └── JournalLost            code "journal_lost"   state.db holds receipts for events the journal lacks
"""

from __future__ import annotations


class GenbaError(Exception):
    """Base of every error raised by Genba's shared core."""

    code = "error"

    def __init__(self, message: str) -> None:
        super().__init__(message)
        self.message = message

    def to_dict(self) -> dict[str, object]:
        """The machine-readable form used in HTTP bodies and JSON output."""
        return {"code": self.code, "message": self.message}


class FormatError(GenbaError):
    code = "malformed"


class InvalidIdm(FormatError):
    code = "invalid_idm"


class InvalidTimestamp(FormatError):
    code = "invalid_timestamp"


class InvalidId(FormatError):
    code = "invalid_id"


class NotCanonical(FormatError):
    code = "not_canonical"


class KeyError_(GenbaError):
    code = "key_error"


class KeyFilePermissions(KeyError_):
    code = "key_permissions"


class KeyFileMissing(KeyError_):
    code = "key_missing"


class VerificationError(GenbaError):
    code = "verification"


class BadSignature(VerificationError):
    code = "bad_signature"


class UnknownKey(VerificationError):
    code = "unknown_key"


class BrokenChain(VerificationError):
    code = "broken_chain"


class Gap(VerificationError):
    code = "gap"

    def __init__(self, message: str, *, next_expected: int) -> None:
        super().__init__(message)
        self.next_expected = next_expected

    def to_dict(self) -> dict[str, object]:
        return {**super().to_dict(), "next_expected": self.next_expected}


class Fork(VerificationError):
    code = "fork"

    def __init__(self, message: str, *, seq: int) -> None:
        super().__init__(message)
        self.seq = seq

    def to_dict(self) -> dict[str, object]:
        return {**super().to_dict(), "seq": self.seq}


class WrongDevice(VerificationError):
    code = "wrong_device"


class TooLarge(VerificationError):
    code = "too_large"


class JournalError(GenbaError):
    code = "journal"


class JournalBusy(JournalError):
    code = "journal_busy"


class JournalWriteFailed(JournalError):
    code = "journal_write_failed"


class ForeignJournal(JournalError):
    code = "foreign_journal"


class JournalDamaged(JournalError):
    code = "journal_damaged"

    def __init__(self, message: str, *, first_bad_seq: int | None) -> None:
        super().__init__(message)
        self.first_bad_seq = first_bad_seq

    def to_dict(self) -> dict[str, object]:
        return {**super().to_dict(), "first_bad_seq": self.first_bad_seq}


class JournalLost(JournalError):
    """The journal lacks (or holds other) events that the server acknowledged: it was deleted, emptied or
    replaced. Recording on in that epoch would fork the device's history, so nothing is recorded until the
    device is enrolled again (a new epoch)."""

    code = "journal_lost"

    def __init__(self, message: str, *, epoch: int, acked: int) -> None:
        super().__init__(message)
        self.epoch, self.acked = epoch, acked

    def to_dict(self) -> dict[str, object]:
        return {**super().to_dict(), "epoch": self.epoch, "acked": self.acked}
