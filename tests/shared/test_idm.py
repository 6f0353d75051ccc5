"""One IDm type (shared.ids.Idm), made by one function (parse_idm) at the edges, never checked again downstream.

The edges: the hardware backends (a card read), the simulator's typed lines, the roster file, the manager's
and the tablet's input, the server's API, and the event format (journal, batches). Each refuses a malformed
IDm with a clear message and stores nothing; the modules between the reader and the history row take the
type and do not re-check it (the source scan below fails if one starts to).
"""

from __future__ import annotations

import ast
import os
import sqlite3
import subprocess
import sys
from pathlib import Path

import pytest

from shared.errors import InvalidIdm
from shared.ids import parse_idm
from shared.messages import CATALOG
from shared.paths import DataDir

ROOT = Path(__file__).resolve().parents[2]
PACKAGES = ("shared", "hardware", "kiosk", "syncd", "server", "genba")

EDGES = {
    "hardware/polling.py",    # every polling backend's card read (nfcpy, PC/SC, simulator)
    "hardware/sim.py",        # lines typed into the simulated reader
    "hardware/emulated.py",   # the emulated card's own IDm (a test peer)
    "hardware/vicc.py",       # the virtual PC/SC card's own IDm (a test peer)
    "shared/state/model.py",  # the roster (CSV import, the server's pulled roster)
    "shared/event.py",        # event bytes read from a journal or a batch (canonical form only)
    "kiosk/ui/model.py",      # the card the manager picks on the touch screen
    "kiosk/web/views.py",     # the card the manager picks on the tablet
    "server/domain/registry.py",  # the server's card bindings (API, console, domain load)
    "kiosk/demo.py",          # the demo's fictional cards
    "genba/cli/journal.py",   # `genba journal simulate`'s random cards
}
"""The only modules that may call the IDm check. Anything else takes an ``Idm`` and trusts it."""

DOWNSTREAM = ("kiosk/pipeline.py", "kiosk/core.py", "kiosk/today.py", "kiosk/sources.py", "kiosk/state_view.py",
              "kiosk/manager.py", "shared/state/reader.py", "shared/state/store.py", "shared/journal/store.py")
CHECKS = {"parse_idm", "normalize_idm", "check_idm"}


def _calls(path: Path) -> set[str]:
    names: set[str] = set()
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
        if isinstance(node, ast.Call):
            f = node.func
            names.add(f.id if isinstance(f, ast.Name) else f.attr if isinstance(f, ast.Attribute) else "")
    return names


def _sources() -> list[Path]:
    return sorted(p for pkg in PACKAGES for p in (ROOT / pkg).rglob("*.py"))


# -- the one function ----------------------------------------------------------------------------

def test_parse_idm_accepts_raw_bytes_and_hex_in_either_case_and_gives_the_stored_form() -> None:
    assert parse_idm(bytes.fromhex("012e4cd81a2b3c4d")) == "012E4CD81A2B3C4D"
    assert parse_idm("012e4cd81a2b3c4d") == "012E4CD81A2B3C4D"
    assert parse_idm("012E4CD81A2B3C4D", canonical=True) == "012E4CD81A2B3C4D"


@pytest.mark.parametrize(("bad", "says"), [
    ("12345", "16 hex digits, got 5"),
    ("012E4CD81A2B3C4D00", "16 hex digits, got 18"),
    ("012E-4CD8-1A2B-3C", "hexadecimal digits only"),
    ("012E4CD81A2B3C4G", "hexadecimal digits only"),
    (" 012E4CD81A2B3C4D", "hexadecimal digits only"),
    ("０１２E4CD81A2B3C4D", "hexadecimal digits only"),  # full-width digits typed by a Japanese IME
    ("", "hexadecimal digits only"),
    (b"\x01\x2e\x4c", "8 bytes, got 3"),
    (None, "text or bytes, got NoneType"),
    (12345, "text or bytes, got int"),
])
def test_parse_idm_refuses_anything_else_with_a_message_naming_the_problem(bad: object, says: str) -> None:
    with pytest.raises(InvalidIdm) as caught:
        parse_idm(bad)
    assert says in caught.value.message and caught.value.code == "invalid_idm"
    assert "16" in CATALOG["invalid_idm"][0] and "16 hexadecimal" in CATALOG["invalid_idm"][1]


@pytest.mark.parametrize("bad", ["012e4cd81a2b3c4d", bytes(8), "012E4CD81A2B3C4"])
def test_the_canonical_form_for_signed_bytes_refuses_what_normalising_would_change(bad: object) -> None:
    with pytest.raises(InvalidIdm):
        parse_idm(bad, canonical=True)


# -- one type, one constructor, no re-checks -----------------------------------------------------

def test_only_shared_ids_makes_an_idm_and_only_state_reader_reads_a_stored_one() -> None:
    makers = [str(p.relative_to(ROOT)) for p in _sources() if "Idm" in _calls(p)]
    assert makers == ["shared/ids.py"]
    readers = [str(p.relative_to(ROOT)) for p in _sources() if "stored_idm" in _calls(p)]
    assert readers == ["shared/state/reader.py"]


def test_the_idm_is_checked_only_at_the_edges() -> None:
    checking = {str(p.relative_to(ROOT)) for p in _sources() if _calls(p) & CHECKS} - {"shared/ids.py"}
    assert checking - EDGES == set(), "an IDm check outside the edges: take shared.ids.Idm instead"
    for path in DOWNSTREAM:
        assert not _calls(ROOT / path) & CHECKS, path
    source = (ROOT / "hardware/base.py").read_text(encoding="utf-8")
    assert "    idm: Idm\n" in source, "a Tap carries the typed IDm"


def test_the_server_checks_network_input_with_the_same_function() -> None:
    source = (ROOT / "server/domain/registry.py").read_text(encoding="utf-8")
    assert "parse_idm" in _calls(ROOT / "server/domain/registry.py") and "check_idm" not in source


# -- the edges refuse, nothing is stored ---------------------------------------------------------

def test_roster_import_refuses_a_malformed_idm_naming_the_line_and_stores_nothing(tmp_path: Path) -> None:
    data = DataDir.resolve(tmp_path / "kiosk")
    roster = tmp_path / "roster.csv"
    roster.write_text("技能者ID,氏名,カードIDm\n10000000000001,山田 太郎,012E4CD81A2B3C4D\n"
                      "10000000000002,佐藤 花子,012E-4CD8-1A2B\n", encoding="utf-8")
    env = {**os.environ, "GENBA_LANG": "en"}
    done = subprocess.run([sys.executable, "-m", "genba", "--data-dir", str(data.root), "roster", "import",
                           str(roster), "--site", "30000000000001"], capture_output=True, text=True, env=env,
                          timeout=60)
    assert done.returncode != 0
    assert "roster.csv line 3: card IDm: IDm must be hexadecimal digits only: '012E-4CD8-1A2B'" in done.stderr
    if data.state.exists():
        with sqlite3.connect(data.state) as conn:
            tables = {r[0] for r in conn.execute("SELECT name FROM sqlite_master WHERE type = 'table'")}
            for table in {"workers", "cards", "site_config"} & tables:
                assert conn.execute(f"SELECT count(*) FROM {table}").fetchone() == (0,), table
