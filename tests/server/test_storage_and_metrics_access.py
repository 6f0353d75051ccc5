"""The server's files are private and its metrics are not public (issue 9 item 11).

``server.db`` holds names and card IDms: the data directory is created 0700
and the SQLite files 0600 (an existing looser directory or file is tightened).
``/metrics`` names every device and its lag: it needs a bearer token (the
``metrics_token`` setting, else the admin token).
"""

from __future__ import annotations

import os
import stat
from pathlib import Path

import pytest
from pydantic import SecretStr

from server import ServerContext, Settings, create_app, open_context
from tests.server.conftest import TOKEN, Api, Kiosk


def mode(path: Path) -> int:
    return stat.S_IMODE(path.stat().st_mode)


def test_a_new_data_directory_is_0700_and_the_database_files_0600(tmp_path: Path) -> None:
    old = os.umask(0o022)
    try:
        data = tmp_path / "fresh" / "server"
        ctx = open_context(Settings(data_dir=data, admin_token=TOKEN))
        try:
            kiosk = Kiosk(tmp_path / "kiosk")
            api = Api(create_app(ctx.settings, context=ctx))
            kiosk.enroll(api)  # writes, so that the -wal file exists
            api.close()
        finally:
            ctx.close()
    finally:
        os.umask(old)
    assert mode(data) == 0o700
    files = [p for p in data.iterdir() if p.name.startswith("server.db")]
    assert files and {p.name: mode(p) for p in files} == {p.name: 0o600 for p in files}


def test_an_existing_loose_data_directory_and_database_are_tightened(tmp_path: Path) -> None:
    data = tmp_path / "loose"
    data.mkdir(mode=0o755)
    os.chmod(data, 0o755)
    db = data / "server.db"
    db.touch()
    os.chmod(db, 0o644)
    open_context(Settings(data_dir=data, admin_token=TOKEN)).close()
    assert (mode(data), mode(db)) == (0o700, 0o600)


@pytest.mark.parametrize("headers", [{}, {"Authorization": "Bearer wrong-token-wrong-token-wrong"},
                                     {"Authorization": f"Basic {TOKEN}"}])
def test_metrics_without_the_token_are_refused(api: Api, kiosk: Kiosk, headers: dict[str, str]) -> None:
    kiosk.enroll(api)
    resp = api.get("/metrics", headers=headers)
    assert resp.status_code == 401 and resp.json()["code"] == "bad_token"
    assert kiosk.device not in resp.text


def test_metrics_with_the_admin_token_or_the_metrics_token(api: Api, kiosk: Kiosk, ctx: ServerContext,
                                                           tmp_path: Path) -> None:
    kiosk.enroll(api)
    assert kiosk.device in api.admin("GET", "/metrics").text
    settings = ctx.settings.model_copy(update={"metrics_token": SecretStr("metrics-scraper-token-0123456789")})
    other = open_context(settings, clock=ctx.clock)
    scraper = Api(create_app(settings, context=other))
    try:
        ok = scraper.get("/metrics", headers={"Authorization": "Bearer metrics-scraper-token-0123456789"})
        assert ok.status_code == 200 and kiosk.device in ok.text
        assert scraper.get("/metrics", headers={"Authorization": f"Bearer {TOKEN}"}).status_code == 401
    finally:
        scraper.close()
        other.close()
