"""``genba server backup --to DIR`` / ``genba server restore FILE``: the server's database, saved and brought back.

Documented in docs/server.md ("Backup and restore"); what a restore means for devices and the audit log:
server/backup.py.
"""

from __future__ import annotations

from pathlib import Path
from typing import Annotated, Any

import typer

from genba.cli.common import fail, reported
from genba.cli.words import h
from shared.messages import t


def _settings(ctx: typer.Context) -> Any:
    from genba.cli.server import _settings as settings

    return settings(ctx)


def backup_cmd(
    ctx: typer.Context,
    to: Annotated[Path, typer.Option("--to", help=h(
        "バックアップファイルを書き出すディレクトリ（なければ作成します）。",
        "Directory to write the backup file into (created if needed)."))],
) -> None:
    from datetime import UTC, datetime

    from server.backup import backup

    with reported():
        out = backup(_settings(ctx).effective_database_url, to, datetime.now(UTC))
    typer.echo(t(f"バックアップしました: {out}", f"backed up: {out}"))
    typer.echo(str(out))


def restore_cmd(
    ctx: typer.Context,
    file: Annotated[Path, typer.Argument(help=h("'genba server backup' で書き出したバックアップファイル。",
                                                "A backup file written by 'genba server backup'."))],
    yes: Annotated[bool, typer.Option("--yes", help=h("確認せずに実行します。", "Do not ask for confirmation."))]
    = False,
) -> None:
    from datetime import UTC, datetime

    from server.backup import restore
    from server.keys import load_server_signer

    settings = _settings(ctx)
    where = settings.effective_database_url
    if not yes and not typer.confirm(t(f"{where} の内容を {file} で置き換えます。よろしいですか",
                                       f"Replace the content of {where} with {file}?")):
        fail(t("中止しました。何も変更していません。", "cancelled; nothing was changed."))
    with reported():
        done = restore(settings.effective_database_url, file, load_server_signer(settings), datetime.now(UTC))
    if done.kept is not None:
        typer.echo(t(f"置き換える前のデータベースを残しました: {done.kept}",
                     f"the replaced database is kept at {done.kept}"))
    typer.echo(t(f"復元しました。監査ログ: 復元前 {done.log_before} 件 → 復元後 {done.log_after} 件"
                 "（復元の記録を含む）。各端末は受領証から不足分を検出し、再送します。",
                 f"restored. audit log: {done.log_before} entries before, {done.log_after} after (with the "
                 "restore recorded). Devices find the missing range from their receipts and send it again."))


def register(server_app: typer.Typer) -> None:
    server_app.command("backup", help=h(
        "稼働中のサーバーのデータベースをバックアップします（SQLite のオンラインバックアップ、または pg_dump）。"
        "ファイルのパスを出力します。サーバー署名鍵は含まれません。別に保管してください（docs/security.md）。",
        "Back up the server's database while it runs (SQLite online backup, or pg_dump); prints the file's path. "
        "The server key is not included: keep it apart (docs/security.md)."))(backup_cmd)
    server_app.command("restore", help=h(
        "データベースの内容をバックアップで置き換えます（先にサーバーを止めてください）。その後、各端末がバックアップに"
        "ない分を再送します。復元は監査ログに記録されます。",
        "Replace the database's content with a backup (stop the server first). Devices then resend what the "
        "backup lacks; the audit log records the restore."))(restore_cmd)
