"""Settings (environment, server.toml, refusal of weak tokens), migrations on both databases, health and metrics."""

from __future__ import annotations

import re
import stat
import subprocess
import sys
import time
from pathlib import Path

import pytest
import sqlalchemy as sa

from server import ServerContext, Settings, create_app, load_settings, make_engine, migrate
from server.errors import SettingsError
from server.settings import ensure_admin_token
from server.store.engine import alembic_config
from tests.server.conftest import TOKEN, Api, Kiosk

ROOT = Path(__file__).resolve().parents[2]


def test_defaults_put_sqlite_in_the_data_directory(tmp_path: Path) -> None:
    s = load_settings(tmp_path, admin_token=TOKEN)
    assert s.effective_database_url == f"sqlite:///{tmp_path / 'server.db'}"
    assert (s.port, s.host) == (8470, "127.0.0.1")


def test_toml_file_then_environment_then_arguments(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    (tmp_path / "server.toml").write_text('port = 9000\nhost = "0.0.0.0"\nlog_level = "DEBUG"\n')
    assert load_settings(tmp_path).port == 9000
    monkeypatch.setenv("GENBA_PORT", "9100")
    s = load_settings(tmp_path)
    assert (s.port, s.host, s.log_level) == (9100, "0.0.0.0", "DEBUG")
    assert load_settings(tmp_path, port=9200).port == 9200


def test_invalid_settings_are_refused_clearly(tmp_path: Path) -> None:
    (tmp_path / "server.toml").write_text("port = 'many'\n")
    with pytest.raises(SettingsError):
        load_settings(tmp_path)


@pytest.mark.parametrize("token", [None, "changeme", "short-token"])
def test_weak_or_missing_admin_token_refuses_to_start(tmp_path: Path, token: str | None) -> None:
    with pytest.raises(SettingsError):
        create_app(Settings(data_dir=tmp_path, admin_token=token))
    create_app(Settings(data_dir=tmp_path / "dev", admin_token=token, dev=True))  # allowed in dev mode


def test_generated_admin_token_is_stored_0600_and_used(tmp_path: Path) -> None:
    s = Settings(data_dir=tmp_path)
    token, created = ensure_admin_token(s)
    assert created and len(token) >= 24
    assert stat.S_IMODE(s.token_file.stat().st_mode) == 0o600
    assert ensure_admin_token(s) == (token, False)
    assert s.check_admin_token() == token


def test_migrations_create_every_table_and_are_idempotent(database_url: str) -> None:
    engine = make_engine(database_url)
    try:
        migrate(engine)
        migrate(engine)
        with engine.connect() as conn:
            names = set(sa.inspect(conn).get_table_names())
            assert {"devices", "chains", "events", "receipts", "forks", "enrollment_codes", "device_clock",
                    "device_status", "site_config", "alembic_version"} <= names
            assert "sync_roster" not in names  # dropped by 0002_sync: the domain's roster is the only one
            versions = {r[0] for r in conn.execute(sa.text("SELECT version_num FROM alembic_version"))}
        from alembic.script import ScriptDirectory

        script = ScriptDirectory.from_config(alembic_config())
        applied = {r.revision for r in script.revision_map.iterate_revisions(tuple(versions), "base")}
        assert "0001_sync" in applied and set(script.get_heads()) <= applied  # every branch at its head
    finally:
        engine.dispose()


def test_processes_starting_at_once_on_an_empty_database_migrate_it_once(database_url: str) -> None:
    """``genba server run --workers N`` starts N processes that each migrate on start: on an empty PostgreSQL
    database they once raced to create ``alembic_version`` and all but one died (a CI run caught it)."""
    code = ("import sys, time; from server import make_engine, migrate; e = make_engine(sys.argv[1]);"
            "time.sleep(max(0.0, float(sys.argv[2]) - time.time())); migrate(e); e.dispose()")
    start = time.time() + 3  # every process imports first, then all migrate at the same instant
    procs = [subprocess.Popen([sys.executable, "-c", code, database_url, str(start)], cwd=ROOT,
                              stderr=subprocess.PIPE, text=True) for _ in range(8)]
    errors = [p.communicate(timeout=300)[1] for p in procs]
    assert [p.returncode for p in procs] == [0] * 8, "\n".join(errors)[-3000:]
    engine = make_engine(database_url)
    try:
        from alembic.script import ScriptDirectory

        with engine.connect() as conn:
            versions = {r[0] for r in conn.execute(sa.text("SELECT version_num FROM alembic_version"))}
        script = ScriptDirectory.from_config(alembic_config())
        applied = {r.revision for r in script.revision_map.iterate_revisions(tuple(versions), "base")}
        assert set(script.get_heads()) <= applied
    finally:
        engine.dispose()


def test_sync_branch_is_labelled_for_other_branches_to_depend_on() -> None:
    from alembic.script import ScriptDirectory

    script = ScriptDirectory.from_config(alembic_config())
    assert script.get_revision("sync@head") is not None
    assert "sync" in script.get_revision("0001_sync").branch_labels


def test_healthz_and_metrics(api: Api, kiosk: Kiosk) -> None:
    health = api.get("/healthz")
    assert health.status_code == 200 and health.json()["status"] == "ok"
    kiosk.enroll(api)
    kiosk.tap(3)
    kiosk.upload(api, kiosk.batch())
    kiosk.upload(api, kiosk.batch())
    kiosk.upload(api, b"{}")
    text = api.admin("GET", "/metrics").text
    assert "genba_events_ingested_total 3.0" in text
    assert 'genba_batches_total{outcome="append"} 1.0' in text
    assert 'genba_batches_total{outcome="duplicate"} 1.0' in text
    assert 'genba_batches_refused_total{reason="malformed"} 1.0' in text
    assert f'genba_device_acked_seq{{device="{kiosk.device}"}} 3.0' in text


def test_health_reports_an_unreachable_database(ctx: ServerContext, api: Api) -> None:
    ctx.engine.dispose()
    ctx.engine = make_engine("postgresql+psycopg://nobody@127.0.0.1:1/none", connect_args={"connect_timeout": 1})
    resp = api.get("/healthz")
    assert (resp.status_code, resp.json()["status"]) == (503, "error")


def test_every_setting_and_command_is_documented() -> None:
    doc = (ROOT / "docs" / "server.md").read_text(encoding="utf-8")
    for name in Settings.model_fields:
        assert f"`{name}`" in doc and f"GENBA_{name.upper()}" in doc, name
    cli = (ROOT / "genba" / "cli" / "server.py").read_text(encoding="utf-8")
    for command in re.findall(r'@app\.command\("([a-z-]+)"\)', cli):
        assert f"genba server {command}" in doc, command
    for option in set(re.findall(r'"(--[a-z-]+)"', cli)):
        assert option in doc, option
    api_doc = (ROOT / "docs" / "api.md").read_text(encoding="utf-8")
    for code in ("unknown_key", "revoked", "bad_signature", "replayed", "clock_skew", "gap", "fork", "too_large",
                 "unsupported_media_type", "enrollment_code_expired", "enrollment_code_used", "epoch_not_newer"):
        assert f"`{code}`" in api_doc, code
