"""Batch files carried by hand: same checks as uploads, receipts written back, importing twice changes nothing."""

from __future__ import annotations

import json
from pathlib import Path

from typer.testing import CliRunner

from genba.cli import app as cli
from server import ServerContext, import_files
from shared.batch import BATCH_MEDIA_TYPE
from shared.keys import VerifierKey
from shared.receipts_file import open_receipts
from shared.timefmt import JST, local_when
from tests.server.conftest import TOKEN, Api, Kiosk, count, snapshot


def write_batches(kiosk: Kiosk, folder: Path, sizes: list[int]) -> list[Path]:
    folder.mkdir(parents=True, exist_ok=True)
    paths, first = [], 1
    for i, n in enumerate(sizes):
        batch = kiosk.batch(first, n)
        path = folder / f"{kiosk.device}-e1-{i:04d}.batch"
        path.write_bytes(batch.to_bytes())
        paths.append(path)
        first += n
    return paths


def test_files_are_ingested_in_chain_order_and_receipts_written(
    api: Api, kiosk: Kiosk, ctx: ServerContext, tmp_path: Path
) -> None:
    kiosk.enroll(api)
    kiosk.tap(9)
    paths = write_batches(kiosk, tmp_path / "usb", [3, 3, 3])
    results = import_files(ctx, list(reversed(paths)))  # given in the wrong order
    assert [r.outcome for r in results] == ["append"] * 3
    assert [r.acked for r in results] == [3, 6, 9]
    assert count(ctx, "events") == 9
    receipts = open_receipts(paths[2].with_name(paths[2].name + ".receipts").read_bytes(),
                             [VerifierKey.decode(kiosk.server_key or "")])
    assert receipts[0].acked == 9


def test_importing_the_same_files_twice_changes_nothing(
    api: Api, kiosk: Kiosk, ctx: ServerContext, tmp_path: Path
) -> None:
    kiosk.enroll(api)
    kiosk.tap(4)
    paths = write_batches(kiosk, tmp_path / "usb", [4])
    import_files(ctx, paths, out=tmp_path / "out")
    written = (tmp_path / "out" / (paths[0].name + ".receipts")).read_bytes()
    before = snapshot(ctx)
    again = import_files(ctx, paths, out=tmp_path / "out")
    assert again[0].outcome == "duplicate"
    assert snapshot(ctx) == before
    assert (tmp_path / "out" / (paths[0].name + ".receipts")).read_bytes() == written


def test_bad_file_is_reported_and_the_rest_still_imported(
    api: Api, kiosk: Kiosk, ctx: ServerContext, tmp_path: Path
) -> None:
    kiosk.enroll(api)
    kiosk.tap(2)
    good = write_batches(kiosk, tmp_path / "usb", [2])[0]
    bad = tmp_path / "usb" / "garbage.batch"
    bad.write_bytes(b"not a batch")
    results = {r.path.name: r for r in import_files(ctx, [bad, good])}
    assert results["garbage.batch"].outcome == "malformed" and not results["garbage.batch"].ok
    assert results[good.name].ok
    assert not (tmp_path / "usb" / "garbage.batch.receipts").exists()


def test_admin_upload_endpoint_has_the_same_checks(api: Api, kiosk: Kiosk, ctx: ServerContext) -> None:
    kiosk.enroll(api)
    kiosk.tap(2)
    body = kiosk.batch().to_bytes()
    headers = {"Content-Type": BATCH_MEDIA_TYPE}
    assert api.post("/api/v1/admin/import", content=body, headers=headers).status_code == 401
    resp = api.admin("POST", "/api/v1/admin/import", content=body, headers=headers)
    assert resp.status_code == 200 and resp.json()["outcome"] == "append"
    resp = api.admin("POST", "/api/v1/admin/import", content=body[:-1], headers=headers)
    assert (resp.status_code, resp.json()["code"]) == (400, "malformed")
    assert count(ctx, "events") == 2


def test_cli_import_enroll_code_and_devices(
    api: Api, kiosk: Kiosk, ctx: ServerContext, tmp_path: Path
) -> None:
    runner = CliRunner()
    env = {"GENBA_DATABASE_URL": ctx.settings.effective_database_url, "GENBA_ADMIN_TOKEN": TOKEN, "GENBA_LANG": "en"}
    root = ["--data-dir", str(ctx.settings.data_dir)]
    res = runner.invoke(cli, [*root, "server", "enroll-code", "--site", kiosk.site], env=env)
    assert res.exit_code == 0, res.output
    code = res.output.strip().splitlines()[-1]
    assert kiosk.enroll_with(api, code).status_code == 201
    kiosk.server_key = ctx.server_key.verifier.encode()
    kiosk.tap(3)
    paths = write_batches(kiosk, tmp_path / "usb", [3])
    res = runner.invoke(cli, [*root, "server", "import", str(paths[0])], env=env)
    assert res.exit_code == 0, res.output
    assert "acked 3" in res.output
    res = runner.invoke(cli, [*root, "server", "devices"], env=env)
    assert res.exit_code == 0 and kiosk.device in res.output and " 3 " in res.output
    res = runner.invoke(cli, [*root, "server", "devices", "--json"], env=env)
    assert '"acked": 3' in res.output
    assert kiosk.signed(api, "GET", "/api/v1/device/receipt").status_code == 200  # a signed request: a contact
    listed = json.loads(runner.invoke(cli, [*root, "server", "devices", "--json"], env=env).output)
    assert listed[0]["last_seen"] is not None
    table = runner.invoke(cli, [*root, "server", "devices"], env=env).output
    assert local_when(listed[0]["last_seen"], JST) in table and listed[0]["last_seen"] not in table  # the site's time
    bad = tmp_path / "usb" / "bad.batch"
    bad.write_bytes(b"{}")
    res = runner.invoke(cli, [*root, "server", "import", str(bad)], env=env)
    assert res.exit_code == 1
    res = runner.invoke(cli, [*root, "server", "enroll-code", "--site", "nope"], env=env)
    assert res.exit_code == 1
