"""``genba audit check``: this device checks the server's audit log against what it saw before.

Documented in docs/syncd.md ("Checking the server's audit log") and docs/security.md.
"""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import typer

from genba.cli.common import data_dir, fail, reported
from genba.cli.words import h
from shared.messages import t

app = typer.Typer(help=h("サーバーの監査ログをこの端末から確認します。",
                         "Check the server's audit log from this device."), no_args_is_help=True)


@app.command("check", help=h(
    "サーバーの監査ログの最新のチェックポイントを取得し、この端末が前回の確認で保管したチェックポイントに追記した"
    "だけのものであること、そして最新の受領済み記録が記録ファイルのとおりに監査ログに載っていることを証明します。"
    "監査ログが書き換えられていたり不正だったりすれば、終了コード1で終了します。",
    "Fetch the server's newest log checkpoint, prove it extends the one this device kept from its last check, "
    "and prove the newest acknowledged event is in the log exactly as the journal has it. Exit 1 on a rewritten "
    "or dishonest log."))
def check(
    ctx: typer.Context,
    ca_bundle: Annotated[Path | None, typer.Option("--ca-bundle", help=h("HTTPS サーバーの CA ファイル。",
                                                                         "CA file for an HTTPS server."))] = None,
) -> None:
    from shared.device import load_identity
    from shared.journal import JournalReader
    from shared.keys import VerifierKey
    from shared.state import StateReader
    from syncd.audit import check_log
    from syncd.client import SyncClient
    from syncd.errors import NotEnrolled

    data = data_dir(ctx)
    with reported():
        identity = load_identity(data)
        if identity is None or not identity.server_url or not identity.server_key:
            raise NotEnrolled("this device is not enrolled; run 'genba device enroll --server URL --code CODE'")
        with StateReader(data.state) as state:
            acked = state.acked_through(identity.epoch)
            held_ca = state.meta("ca_bundle")
        client = SyncClient(identity.server_url, device=identity.device, epoch=identity.epoch,
                            ca_bundle=ca_bundle or (Path(held_ca) if held_ca else None))
        journal = JournalReader(data.journal) if data.journal.exists() else None
        try:
            result = check_log(client, [VerifierKey.decode(identity.server_key)], data.root, journal,
                               (acked.epoch, acked.seq) if acked and acked.seq > 0 else None)
        finally:
            client.close()
            if journal is not None:
                journal.close()
    before = (t(f"前回確認時 {result.previous} 件からの追記のみ", f"only appended to since {result.previous}")
              if result.previous is not None else t("初回の確認（次回からこの時点と照合）",
                                                    "first check (later checks compare with this one)"))
    typer.echo(t(f"監査ログ: {result.size} 件、{before}", f"audit log: {result.size} entries, {before}"))
    if result.proven:
        epoch, seq = result.proven
        typer.echo(t(f"この端末の記録（世代 {epoch} の {seq} 番）は台帳どおりに載っています。",
                     f"this device's event (epoch {epoch} seq {seq}) is in the log exactly as journaled."))
    elif result.pending:
        typer.echo(t("最新の受領済み記録はまだ監査ログに入っていません（数秒で入ります）。",
                     "the newest acknowledged event is not in the log yet (it enters within seconds)."))
    if result.size == 0:
        fail(t("監査ログが空です。", "the audit log is empty."))
