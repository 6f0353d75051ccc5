"""Any body gets a 4xx ``malformed``, never a 500 or a logged traceback (issue 9 item 2).

Python's JSON parser fails outside ``JSONDecodeError`` on a 5,000-digit
integer (``ValueError``: the int-conversion limit) and on ~6 KB of nested
brackets (``RecursionError``). Every path that parses bytes from outside
bounds depth and number length first: batch uploads, the admin import,
``genba server import``, and every JSON endpoint (before authentication).
"""

from __future__ import annotations

import logging
from pathlib import Path

import pytest
from typer.testing import CliRunner

from genba.cli import app as cli
from server import ServerContext
from shared.batch import BATCH_MEDIA_TYPE
from shared.canonical import canonical_bytes
from shared.errors import FormatError
from shared.json_limits import MAX_DEPTH, check_json_limits, loads_bounded
from tests.server.conftest import TOKEN, Api, Kiosk, snapshot

BIG_INT = b'{"epoch":' + b"1" * 5000 + b"}"
DEEP_LIST = b"[" * 3000 + b"]" * 3000
DEEP_OBJECT = b'{"a":' * 1200 + b"1" + b"}" * 1200
HOSTILE = {"5000-digit integer": BIG_INT, "6 KB of nested lists": DEEP_LIST, "nested objects": DEEP_OBJECT}


def no_traceback(caplog: pytest.LogCaptureFixture) -> bool:
    return not [r for r in caplog.records if r.exc_info or r.levelno >= logging.ERROR]


@pytest.fixture
def enrolled(api: Api, kiosk: Kiosk) -> Kiosk:
    kiosk.enroll(api)
    kiosk.tap(2)
    return kiosk


def batch_headers(path: str) -> dict[str, str]:
    """The admin import needs the admin token; an upload needs no header but its type (pre-auth)."""
    admin = {"Authorization": f"Bearer {TOKEN}"} if "/admin/" in path else {}
    return {"Content-Type": BATCH_MEDIA_TYPE, **admin}


def batch_with_event(kiosk: Kiosk, event: bytes) -> bytes:
    """A canonical batch whose one event string is ``event`` (the outer form parses; the event must not)."""
    good = kiosk.batch()
    return canonical_bytes({"checkpoint": good.checkpoint, "device": good.device, "epoch": good.epoch,
                            "events": [event.decode()], "first": 1, "format": "genba.batch/1", "last": 1,
                            "prev": good.prev.hex()})


@pytest.mark.parametrize("path", ["/api/v1/batches", "/api/v1/admin/import"])
@pytest.mark.parametrize("name", sorted(HOSTILE))
def test_a_hostile_batch_body_is_malformed_not_a_500(api: Api, enrolled: Kiosk, ctx: ServerContext, path: str,
                                                     name: str, caplog: pytest.LogCaptureFixture) -> None:
    before = snapshot(ctx)
    caplog.set_level(logging.INFO)
    resp = api.post(path, content=HOSTILE[name], headers=batch_headers(path))
    assert resp.status_code == 400, resp.text
    assert resp.json()["code"] == "malformed"
    assert snapshot(ctx) == before and no_traceback(caplog)


@pytest.mark.parametrize("path", ["/api/v1/batches", "/api/v1/admin/import"])
@pytest.mark.parametrize("name", sorted(HOSTILE))
def test_a_hostile_event_inside_a_well_formed_batch_is_refused(
        api: Api, enrolled: Kiosk, ctx: ServerContext, path: str, name: str,
        caplog: pytest.LogCaptureFixture) -> None:
    before = snapshot(ctx)
    caplog.set_level(logging.INFO)
    body = batch_with_event(enrolled, HOSTILE[name][:2000])  # events are at most 2048 bytes
    resp = api.post(path, content=body, headers=batch_headers(path))
    assert 400 <= resp.status_code < 500, resp.text
    assert snapshot(ctx) == before and no_traceback(caplog)


@pytest.mark.parametrize("name", sorted(HOSTILE))
def test_genba_server_import_reports_a_hostile_file_and_imports_the_rest(
        api: Api, enrolled: Kiosk, ctx: ServerContext, tmp_path: Path, name: str) -> None:
    usb = tmp_path / "usb"
    usb.mkdir()
    (usb / "a-hostile.batch").write_bytes(HOSTILE[name])
    good = usb / "b-good.batch"
    good.write_bytes(enrolled.batch().to_bytes())
    env = {"GENBA_DATABASE_URL": ctx.settings.effective_database_url, "GENBA_ADMIN_TOKEN": TOKEN, "GENBA_LANG": "en"}
    res = CliRunner().invoke(cli, ["--data-dir", str(ctx.settings.data_dir), "server", "import",
                                   str(usb / "a-hostile.batch"), str(good)], env=env)
    assert res.exit_code == 1, res.output
    assert res.exception is None or isinstance(res.exception, SystemExit)
    assert "a-hostile.batch: refused (malformed" in res.output and "acked 2" in res.output


JSON_ENDPOINTS = [
    ("/api/v1/enroll", {}),  # before any authentication
    ("/api/v1/admin/enrollment-codes", {"Authorization": f"Bearer {TOKEN}"}),
    ("/api/v1/admin/devices/kiosk-test01/site", {"Authorization": f"Bearer {TOKEN}"}),
    ("/api/v1/device/status", {"Authorization": "Genba-Device nothing"}),
    ("/api/v1/companies", {"Authorization": f"Bearer {TOKEN}"}),
]


@pytest.mark.parametrize("path, headers", JSON_ENDPOINTS, ids=[p for p, _ in JSON_ENDPOINTS])
@pytest.mark.parametrize("name", sorted(HOSTILE))
@pytest.mark.parametrize("ctype", ["application/json", None])
def test_a_hostile_json_body_is_malformed_on_every_json_endpoint(
        api: Api, enrolled: Kiosk, ctx: ServerContext, path: str, headers: dict[str, str], name: str,
        ctype: str | None, caplog: pytest.LogCaptureFixture) -> None:
    before = snapshot(ctx)
    caplog.set_level(logging.INFO)
    h = {**headers, **({"Content-Type": ctype} if ctype else {})}
    resp = api.post(path, content=HOSTILE[name], headers=h)
    assert resp.status_code == 400, resp.text
    assert resp.json()["code"] == "malformed" and resp.json()["message_ja"]
    assert snapshot(ctx) == before and no_traceback(caplog)


@pytest.mark.parametrize("body", [b"{not json", b'{"site": "\xff\xfe"}', b'{"site": 1e99999}'])
def test_a_json_parse_error_is_malformed_not_http_error(api: Api, body: bytes) -> None:
    resp = api.post("/api/v1/admin/enrollment-codes", content=body,
                    headers={"Authorization": f"Bearer {TOKEN}", "Content-Type": "application/json"})
    assert resp.status_code == 400 and resp.json()["code"] == "malformed", resp.text


@pytest.mark.parametrize("text", [
    b'{"reason":"' + b"[" * 200 + b'"}',  # brackets inside a string do not nest
    b'{"reason":"\\"[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[\\\\"}',
    b'{"a":"' + b"9" * 300 + b'","b":[[[[1]]]]}',  # digits inside a string are not a number
    b'[' * MAX_DEPTH + b']' * MAX_DEPTH,
])
def test_legitimate_json_passes_the_bounds(text: bytes) -> None:
    check_json_limits(text)
    loads_bounded(text)


@pytest.mark.parametrize("text", [
    b'[' * (MAX_DEPTH + 1) + b']' * (MAX_DEPTH + 1),
    b'[1,' * 40 + b']' * 40,
    b'{"a":"x","b":' + b'[{"c":' * 20 + b'1' + b'}]' * 20 + b'}',
    b'{"a":"\\\\"' + b',"b":[' * 40 + b']' * 40 + b'}',  # an escaped backslash ends the string before the brackets
    b'[' + b'1' * 65 + b']',
    b'"' + b'[' * 40,  # an unterminated string: brackets after it are inside it, but the JSON is bad anyway
])
def test_too_deep_or_too_long_is_a_format_error(text: bytes) -> None:
    if text.startswith(b'"'):
        with pytest.raises(FormatError):
            loads_bounded(text)
        return
    with pytest.raises(FormatError):
        check_json_limits(text)
