"""The server key can live away from the database: a key file elsewhere, or a signer behind an HSM/KMS seam."""

from __future__ import annotations

from pathlib import Path

import pytest
from typer.testing import CliRunner

from genba.cli import app as cli_app
from server import Settings, open_context
from server.audit import service
from server.errors import SettingsError
from shared.checkpoint import Receipt
from shared.keys import SigningKey, VerifierKey
from shared.tlog import LogCheckpoint
from tests.server import fake_hsm
from tests.server.conftest import TOKEN, Kiosk


def settings(tmp_path: Path, **over: object) -> Settings:
    return Settings(data_dir=tmp_path / "data", database_url=f"sqlite:///{tmp_path / 'data' / 'server.db'}",
                    admin_token=TOKEN, **over)


def test_a_key_file_elsewhere_signs_and_none_is_created_beside_the_database(tmp_path: Path) -> None:
    elsewhere = tmp_path / "secrets" / "server.key"
    out = CliRunner().invoke(cli_app, ["server", "key", "create", "--out", str(elsewhere)], env={"GENBA_LANG": "en"})
    assert out.exit_code == 0, out.output
    verifier = VerifierKey.decode(out.output.strip())
    assert elsewhere.stat().st_mode & 0o077 == 0
    ctx = open_context(settings(tmp_path, server_key_path=elsewhere))
    try:
        assert ctx.server_key.verifier == verifier
        assert not ctx.settings.data.server_key.exists()
    finally:
        ctx.close()
    again = CliRunner().invoke(cli_app, ["server", "key", "create", "--out", str(elsewhere)], env={"GENBA_LANG": "en"})
    assert again.exit_code == 1 and "not overwriting" in again.output
    assert VerifierKey.decode(out.output.strip()) == SigningKey.load(elsewhere).verifier  # unchanged


def test_a_missing_key_file_is_refused_not_replaced(tmp_path: Path) -> None:
    missing = tmp_path / "unmounted" / "server.key"
    with pytest.raises(SettingsError, match="does not exist"):
        open_context(settings(tmp_path, server_key_path=missing))
    assert not missing.exists() and not (tmp_path / "data" / "keys" / "server.key").exists()


def test_a_key_file_others_can_read_is_refused(tmp_path: Path) -> None:
    path = tmp_path / "loose.key"
    SigningKey.generate("genba-server").save(path)
    path.chmod(0o644)
    with pytest.raises(SettingsError, match="cannot be used"):
        open_context(settings(tmp_path, server_key_path=path))


def test_a_signer_behind_the_hsm_seam_signs_receipts_and_log_checkpoints(tmp_path: Path) -> None:
    from tests.server.conftest import Api

    ctx = open_context(settings(tmp_path, server_signer="tests.server.fake_hsm:make"))
    try:
        from server import create_app

        api = Api(create_app(ctx.settings, context=ctx))
        kiosk = Kiosk(tmp_path / "kiosk")
        kiosk.enroll(api)
        kiosk.tap(3)
        resp = kiosk.upload(api, kiosk.batch())
        assert resp.status_code == 200, resp.text
        hsm = fake_hsm.FakeHsm().verifier
        assert kiosk.server_key == hsm.encode()
        Receipt.open(resp.json()["receipt"], [hsm])
        fake_hsm.SIGNED.clear()
        note = service.sequence(ctx.engine, ctx.server_key, ctx.stamp())
        assert note is not None and len(fake_hsm.SIGNED) == 1
        assert LogCheckpoint.open(note, [hsm]).size == 4  # 3 events and the enrollment's site assignment
        assert not ctx.settings.data.server_key.exists()
        api.close()
    finally:
        ctx.close()


@pytest.mark.parametrize("spec, words", [
    ("no-colon", "must be 'package.module:factory'"),
    ("tests.server.no_such_module:make", "cannot be loaded"),
    ("tests.server.fake_hsm:missing", "cannot be loaded"),
    ("tests.server.fake_hsm:not_a_signer", "has no name, verifier and sign"),
])
def test_a_bad_signer_setting_is_refused_with_what_to_fix(tmp_path: Path, spec: str, words: str) -> None:
    with pytest.raises(SettingsError, match=words):
        open_context(settings(tmp_path, server_signer=spec))


def test_key_show_prints_what_devices_pin(tmp_path: Path) -> None:
    key_file = tmp_path / "k" / "server.key"
    SigningKey.generate("genba-server").save(key_file)
    out = CliRunner().invoke(cli_app, ["--data-dir", str(tmp_path / "data"), "server", "key", "show"],
                             env={"GENBA_LANG": "en", "GENBA_SERVER_KEY_PATH": str(key_file)})
    assert out.exit_code == 0, out.output
    assert out.output.strip() == SigningKey.load(key_file).verifier.encode()
