"""The audit log: a database administrator cannot change what the server accepted or decided without it showing.

A month of the demo site (events from two kiosks, structure, roster, card bindings, a correction approved) is
sequenced into the log; then each kind of edit is made to the database, as an administrator with SQL would,
and ``verify`` must name it. An edit that rewrites the log as well, re-signed with the server key, is caught by
a checkpoint a device kept from before.
"""

from __future__ import annotations

import base64
from collections.abc import Callable, Iterator
from datetime import date
from typing import Any

import pytest
import sqlalchemy as sa
from typer.testing import CliRunner

from genba.cli import app as cli_app
from genba.cli.server_domain_demo import seed_demo
from server import ServerContext, Settings, create_app, open_context
from server.audit import service
from server.store import audit_log as store
from server.store import audit_schema as a
from server.store import domain_records as rec
from server.store.engine import IMMEDIATE
from shared.batch import BATCH_MEDIA_TYPE
from shared.clock import ManualClock
from shared.keys import VerifierKey
from shared.merkle import leaf_hash, verify_consistency, verify_inclusion
from shared.tlog import LogCheckpoint
from tests.server.conftest import START, TOKEN, Api

MONTH = "2026-10"


@pytest.fixture(scope="module", params=["sqlite", pytest.param("postgresql", marks=pytest.mark.postgres)])
def world(request: pytest.FixtureRequest, tmp_path_factory: pytest.TempPathFactory) -> Iterator[ServerContext]:
    """The demo site's month, seeded once per backend and sequenced into the log; tests roll their edits back."""
    root = tmp_path_factory.mktemp(f"audit-{request.param}")
    if request.param == "sqlite":
        url = f"sqlite:///{root / 'server.db'}"
    else:
        url = request.getfixturevalue("pg_cluster").create_schema()
    ctx = open_context(Settings(data_dir=root, database_url=url, admin_token=TOKEN), clock=ManualClock(START))
    seed_demo(ctx, root / "kiosks", MONTH)
    assert service.sequence(ctx.engine, ctx.server_key, ctx.stamp()) is not None
    yield ctx
    ctx.close()


@pytest.fixture
def conn(world: ServerContext) -> Iterator[sa.Connection]:
    """One connection in a transaction that is rolled back: every test leaves the seeded log as it found it."""
    with world.engine.connect() as c:
        c = c.execution_options(**{IMMEDIATE: True})
        tx = c.begin()
        try:
            yield c
        finally:
            tx.rollback()


def keys(ctx: ServerContext) -> list[VerifierKey]:
    return [ctx.server_key.verifier]


def verify(world: ServerContext, conn: sa.Connection) -> service.VerifyReport:
    return service.verify_on(conn, keys(world))


def sequence(world: ServerContext, conn: sa.Connection) -> None:
    assert service.sequence_on(conn, world.server_key, world.stamp()) is not None


def checkpoint(world: ServerContext, conn: sa.Connection) -> LogCheckpoint:
    note = service.latest_checkpoint(conn)
    assert note is not None
    return LogCheckpoint.open(note, keys(world))


def first_id(conn: sa.Connection, table: str, where: str = "") -> int:
    return int(conn.execute(sa.text(f"SELECT min(id) FROM {table} {where}")).scalar_one())


def test_an_untouched_database_verifies_and_everything_is_logged(world: ServerContext, conn: sa.Connection) -> None:
    report = verify(world, conn)
    assert report.ok, [f.line() for f in report.findings]
    events = int(conn.execute(sa.text("SELECT count(*) FROM events")).scalar_one())
    logged = int(conn.execute(sa.text("SELECT count(*) FROM audit_leaves WHERE tbl = 'events'")).scalar_one())
    kinds = {r[0] for r in conn.execute(sa.text("SELECT DISTINCT tbl FROM audit_leaves"))}
    assert events > 1000 and logged == events
    assert kinds == {"events", "dom_card_bindings", "dom_roster", "dom_structure_changes", "dom_corrections",
                     "dom_correction_audit", "device_sites", "dom_companies", "dom_workers", "dom_sites",
                     "rep_worker_details", "rep_education"}
    assert report.pending == 0 and report.size > events
    assert report.checkpoints == 1


NOT_FOREMAN = "WHERE position <> '職長'"
EDITS: dict[str, tuple[str, Callable[[sa.Connection], object]]] = {
    "an exit moved four hours later": ("row_changed", lambda c: c.execute(sa.text(
        "UPDATE events SET server_at = '2026-10-06T12:27:00Z' WHERE seq = 5 AND device = 'demo-kiosk-office'"))),
    "a clock flag cleared": ("row_changed", lambda c: c.execute(sa.text(
        "UPDATE events SET time_flags = '' WHERE seq = 7 AND device = 'demo-kiosk-gate'"))),
    "an event deleted": ("row_deleted", lambda c: c.execute(sa.text(
        "DELETE FROM events WHERE seq = (SELECT max(seq) FROM events WHERE device = 'demo-kiosk-gate') "
        "AND device = 'demo-kiosk-gate'"))),
    "a card binding moved to another worker": ("row_changed", lambda c: c.execute(sa.text(
        "UPDATE dom_card_bindings SET worker = (SELECT max(worker) FROM dom_workers) "
        f"WHERE id = {first_id(c, 'dom_card_bindings')}"))),
    "a correction's decision flipped": ("row_changed", lambda c: c.execute(sa.text(
        "UPDATE dom_corrections SET status = 'rejected' WHERE status = 'approved'"))),
    "an approval step's author changed": ("row_changed", lambda c: c.execute(sa.text(
        "UPDATE dom_correction_audit SET by = 'someone-else' WHERE action = 'approved'"))),
    "a roster entry's position changed": ("row_changed", lambda c: c.execute(sa.text(
        "UPDATE dom_roster SET position = '職長' WHERE id = "
        f"{first_id(c, 'dom_roster', NOT_FOREMAN)}"))),
    "a structure change's company changed": ("row_changed", lambda c: c.execute(sa.text(
        f"UPDATE dom_structure_changes SET name = '偽装(株)' WHERE id = {first_id(c, 'dom_structure_changes')}"))),
    "a device's site assignment rewritten": ("row_changed", lambda c: c.execute(sa.text(
        "UPDATE device_sites SET site = '99999999999999' WHERE device = 'demo-kiosk-gate'"))),
    "a worker moved to another company": ("row_changed", lambda c: c.execute(sa.text(
        "UPDATE dom_workers SET employer = (SELECT max(company) FROM dom_companies) "
        "WHERE worker = (SELECT min(worker) FROM dom_workers)"))),
    "a worker's insurance status changed": ("row_changed", lambda c: c.execute(sa.text(
        "UPDATE dom_workers SET pension = NOT pension WHERE worker = (SELECT min(worker) FROM dom_workers)"))),
    "a company renamed": ("row_changed", lambda c: c.execute(sa.text(
        "UPDATE dom_companies SET name = '偽装(株)' WHERE company = (SELECT min(company) FROM dom_companies)"))),
    "a site's day boundary moved": ("row_changed", lambda c: c.execute(sa.text(
        "UPDATE dom_sites SET day_boundary = '00:00' WHERE day_boundary <> '00:00'"))),
    "a health check date changed": ("row_changed", lambda c: c.execute(sa.text(
        "UPDATE rep_worker_details SET health_general = '2026-10-01' "
        "WHERE worker = (SELECT min(worker) FROM rep_worker_details)"))),
    "a worker's new-entrant education backdated": ("row_changed", lambda c: c.execute(sa.text(
        "UPDATE rep_education SET educated_on = '2020-01-01' "
        "WHERE worker = (SELECT min(worker) FROM rep_education)"))),
    "a worker's education record deleted": ("row_deleted", lambda c: c.execute(sa.text(
        "DELETE FROM rep_education WHERE worker = (SELECT min(worker) FROM rep_education)"))),
    "a worker added by hand": ("row_unlogged", lambda c: c.execute(sa.text(
        "INSERT INTO dom_workers (worker, name, furigana, employer, level, qualifications, origin) "
        "SELECT '99999999999999', '幽霊', 'ユウレイ', min(company), 1, '[]', 'manual' FROM dom_companies"))),
    "a structure change deleted": ("row_deleted", lambda c: c.execute(sa.text(
        "DELETE FROM dom_structure_changes WHERE id = (SELECT max(id) FROM dom_structure_changes)"))),
}


@pytest.mark.parametrize("what", sorted(EDITS))
def test_every_kind_of_edit_to_a_logged_row_is_named(world: ServerContext, conn: sa.Connection, what: str) -> None:
    code, edit = EDITS[what]
    assert edit(conn).rowcount >= 1, "the edit changed nothing: the test would prove nothing"  # type: ignore[attr-defined]
    report = verify(world, conn)
    assert not report.ok
    assert code in {f.code for f in report.findings}, [f.line() for f in report.findings]


def test_registry_writes_through_the_application_are_pending_then_logged_not_flagged(
        world: ServerContext, conn: sa.Connection) -> None:
    """Consent changed, a proxy agreement granted and revoked: each write queues its key in its own transaction,
    the next run logs the record as it then is (a revoked agreement as deleted), and verify stays clean."""
    worker, employer, upper = conn.execute(sa.text(
        "SELECT w.worker, w.employer, (SELECT max(company) FROM dom_companies WHERE company <> w.employer) "
        "FROM dom_workers w ORDER BY w.worker LIMIT 1")).one()
    rec.set_consent(conn, worker, by_worker=["birth_date"])
    rec.grant_proxy(conn, employer, upper, START)
    report = verify(world, conn)
    assert report.ok and report.pending >= 2, [f.line() for f in report.findings]
    sequence(world, conn)
    report = verify(world, conn)
    assert report.ok and report.pending == 0, [f.line() for f in report.findings]
    rec.revoke_proxy(conn, employer, upper)
    sequence(world, conn)
    report = verify(world, conn)
    assert report.ok and report.pending == 0, [f.line() for f in report.findings]
    rows = conn.execute(sa.text("SELECT data FROM audit_leaves WHERE tbl = 'dom_proxies' ORDER BY idx")).all()
    assert [b'"row":null' in bytes(r.data) for r in rows] == [False, True]  # granted, then deleted
    rec.grant_proxy(conn, employer, upper, START)
    sequence(world, conn)
    conn.execute(sa.text("DELETE FROM dom_proxies WHERE employer = :e"), {"e": employer})  # by hand
    assert {f.code for f in verify(world, conn).findings} == {"row_deleted"}


def test_an_edit_that_also_rewrites_the_entry_breaks_the_signed_root(world: ServerContext,
                                                                      conn: sa.Connection) -> None:
    conn.execute(sa.text("UPDATE events SET time_flags = 'forged' WHERE seq = 3 AND device = 'demo-kiosk-gate'"))
    row = conn.execute(sa.text("SELECT * FROM events WHERE seq = 3 AND device = 'demo-kiosk-gate'")).one()
    _, data = service.event_entry(row)
    conn.execute(a.leaves.update().where(a.leaves.c.tbl == "events", a.leaves.c.row_key == "demo-kiosk-gate:1:3")
                 .values(data=data, leaf=leaf_hash(data)))
    codes = {f.code for f in verify(world, conn).findings}
    assert "log_rewritten" in codes and "node_changed" in codes and "row_changed" not in codes


def test_a_log_rewritten_and_resigned_with_the_server_key_fails_against_a_devices_older_checkpoint(
        world: ServerContext, conn: sa.Connection) -> None:
    kept = checkpoint(world, conn)  # what a device holds from an earlier receipt
    # The administrator, holding the server key, edits a row and rebuilds the whole log to match.
    conn.execute(sa.text("UPDATE events SET server_at = '2026-10-06T12:27:00Z' "
                         "WHERE seq = 5 AND device = 'demo-kiosk-office'"))
    for table in (a.leaves, a.nodes, a.checkpoints, a.cursors, a.chains, a.key_queue):
        conn.execute(table.delete())
    for tbl, cols in store.KEYED.items():  # the registry's records are logged from a queue of their keys
        conn.execute(sa.text(f"INSERT INTO audit_key_queue (tbl, row_key, queued_at) SELECT '{tbl}', "
                             f"{' || :sep || '.join(cols)}, 'now' FROM {tbl}"), {"sep": ":"})
    sequence(world, conn)
    assert verify(world, conn).ok  # the database alone now looks consistent …
    rewritten = checkpoint(world, conn)
    assert rewritten.size == kept.size
    # … but not to the device: the same size must have the same root, and no proof joins the two.
    assert rewritten.root != kept.root
    proof = service.consistency(conn, kept.size, rewritten.size)
    assert not verify_consistency(kept.size, rewritten.size, kept.root, rewritten.root, proof)


def test_new_rows_are_pending_until_sequenced_then_provable(world: ServerContext, conn: sa.Connection) -> None:
    before = checkpoint(world, conn)
    conn.execute(sa.text(
        "INSERT INTO dom_structure_changes (site, at, action, member, by_company, parent, company, name, "
        "work_name, work_description) SELECT site, at, action, member, by_company, parent, company, name, "
        "work_name, work_description FROM dom_structure_changes WHERE id = (SELECT min(id) FROM "
        "dom_structure_changes)"))
    pending = verify(world, conn)
    assert pending.ok and pending.pending == 1
    sequence(world, conn)
    done = verify(world, conn)
    assert done.ok and done.pending == 0 and done.checkpoints == 2
    after = checkpoint(world, conn)
    assert after.size == before.size + 1
    proof = service.consistency(conn, before.size, after.size)
    assert verify_consistency(before.size, after.size, before.root, after.root, proof)
    inc = service.event_inclusion(conn, "demo-kiosk-gate", 1, 10)
    assert inc is not None and inc.size == after.size
    assert verify_inclusion(leaf_hash(inc.entry), inc.index, inc.size, inc.proof, after.root)
    assert not verify_inclusion(leaf_hash(inc.entry + b" "), inc.index, inc.size, inc.proof, after.root)


def test_an_in_place_change_by_the_application_is_pending_then_logged_not_flagged(world: ServerContext,
                                                                                   conn: sa.Connection) -> None:
    rec.end_binding(conn, first_id(conn, "dom_card_bindings"), date(2026, 10, 31))
    report = verify(world, conn)
    assert report.ok and report.pending == 1  # queued with the change: pending until the next run
    sequence(world, conn)
    assert verify(world, conn).ok
    assert verify(world, conn).pending == 0


# --- the API: anyone can fetch the checkpoint and proofs -------------------------------------------------------

@pytest.fixture
def api(world: ServerContext) -> Iterator[Api]:
    client = Api(create_app(world.settings, context=world))
    yield client
    client.close()


def test_the_api_serves_a_checkpoint_and_an_event_inclusion_proof_that_verify(world: ServerContext, api: Api) -> None:
    resp = api.get("/api/v1/log/checkpoint")
    assert resp.status_code == 200
    cp = LogCheckpoint.open(resp.json()["checkpoint"], keys(world))
    assert cp.origin == "genba audit log genba-server"
    got = api.get("/api/v1/log/events/demo-kiosk-gate/1/10").json()
    proof = [base64.b64decode(p) for p in got["proof"]]
    entry = base64.b64decode(got["entry"])
    assert got["size"] == cp.size and b'"seq":10' in entry and b'"type":"event"' in entry
    assert verify_inclusion(leaf_hash(entry), got["index"], got["size"], proof, cp.root)


def test_the_api_refuses_proofs_no_log_can_have_with_clear_codes(world: ServerContext, api: Api) -> None:
    size = LogCheckpoint.open(api.get("/api/v1/log/checkpoint").json()["checkpoint"], keys(world)).size
    not_logged = api.get("/api/v1/log/events/demo-kiosk-gate/1/999999")
    assert not_logged.status_code == 404 and not_logged.json()["code"] == "not_logged"
    for url in (f"/api/v1/log/consistency?first=1&second={size}",        # 1 is no checkpoint's size
                f"/api/v1/log/consistency?first=0&second={size + 1}"):   # beyond the log
        bad = api.get(url)
        assert bad.status_code == 400 and bad.json()["code"] == "bad_proof_request", bad.text
    for url in ("/api/v1/log/events/BAD!/1/1", "/api/v1/log/events/demo-kiosk-gate/0/1",
                "/api/v1/log/consistency?first=-1&second=2", "/api/v1/log/consistency?first=x&second=2",
                f"/api/v1/log/consistency?first=0&second={'9' * 5000}"):
        bad = api.get(url)
        assert 400 <= bad.status_code < 500 and "code" in bad.json(), (url, bad.status_code, bad.text)
    ok = api.get(f"/api/v1/log/consistency?first=0&second={size}")
    assert ok.status_code == 200 and ok.json()["proof"] == []


# --- the command line ----------------------------------------------------------------------------------------

def run_cli(world: ServerContext, *args: str) -> Any:
    return CliRunner().invoke(cli_app, ["--data-dir", str(world.settings.data_dir), "server",
                                        "--database-url", world.settings.effective_database_url, *args],
                              env={"GENBA_LANG": "en"})


def test_audit_verify_says_ok_on_an_untouched_database(world: ServerContext) -> None:
    result = run_cli(world, "audit", "verify")
    assert result.exit_code == 0, result.output
    assert "OK: the database matches the audit log" in result.output


def test_audit_verify_exits_1_and_names_the_first_edited_row(world: ServerContext) -> None:
    where = "seq = 5 AND device = 'demo-kiosk-office'"
    with world.engine.begin() as c:
        was = c.execute(sa.text(f"SELECT server_at FROM events WHERE {where}")).scalar_one()
        c.execute(sa.text(f"UPDATE events SET server_at = '2026-10-06T12:27:00Z' WHERE {where}"))
    try:
        result = run_cli(world, "audit", "verify", "--no-sequence")
    finally:
        with world.engine.begin() as c:
            c.execute(sa.text(f"UPDATE events SET server_at = :was WHERE {where}"), {"was": was})
    assert result.exit_code == 1
    assert "MISMATCH" in result.output and "row_changed: events demo-kiosk-office:1:5" in result.output


def test_a_batch_answer_carries_the_log_checkpoint(world: ServerContext, api: Api) -> None:
    with world.engine.connect() as c:
        note = service.latest_checkpoint(c)
    # A re-sent batch is answered from what is stored, with the newest checkpoint beside the receipt.
    with world.engine.connect() as c:
        row = c.execute(sa.text("SELECT device, epoch FROM chains ORDER BY device LIMIT 1")).one()
    from shared.journal import JournalReader

    journal = world.settings.data_dir / "kiosks" / row.device / "journal.db"
    with JournalReader(journal) as reader:
        batch = reader.batch(1, 1, 5)
    assert batch is not None
    resp = api.post("/api/v1/batches", content=batch.to_bytes(), headers={"Content-Type": BATCH_MEDIA_TYPE})
    assert resp.status_code == 200, resp.text
    assert resp.json()["outcome"] == "duplicate" and resp.json()["log_checkpoint"] == note


def test_the_fast_event_entry_is_byte_for_byte_the_general_one(world: ServerContext, conn: sa.Connection) -> None:
    """The sequencer and verify build event entries the fast way; the general way (canonical_bytes over every
    column) is the definition. Every stored event gives the same bytes both ways, and takes the fast way."""
    from server.store import audit_log

    rows = list(audit_log.all_events(conn))
    assert len(rows) > 1000
    assert all(row._fields == service._FAST_COLUMNS for row in rows)  # the fast path is the one taken
    assert all(service.event_entry_fast(row) == service.event_entry(row) for row in rows)
    odd = conn.execute(sa.text("SELECT seq, device, epoch, data, head, site, kind, at, boot, mono_us, server_at, "
                               "time_flags, received_at FROM events LIMIT 1")).one()
    assert service.event_entry_fast(odd) == service.event_entry(odd)  # other column order: the general way
