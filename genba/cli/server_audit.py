"""``genba server audit verify|sequence|checkpoint``: the server's audit log from the command line.

Registered onto the ``genba server`` group with one line in genba/cli/__init__.py; documented in
docs/security.md ("The database administrator") and docs/cli.md.
"""

from __future__ import annotations

from typing import Annotated, Any

import typer

from genba.cli.common import fail, reported
from genba.cli.words import h
from shared.messages import t

app = typer.Typer(help=h("サーバーの監査ログ（サーバーが受け付けたこと・決定したことのマークルログ）。",
                         "The server's audit log (Merkle log of what the server accepted or decided)."),
                  no_args_is_help=True)


def _open(ctx: typer.Context) -> Any:
    from genba.cli.server import _settings
    from server.context import open_context

    return open_context(_settings(ctx), check_token=False)


@app.command("verify", help=h(
    "記録された各行を監査ログと、監査ログを署名済みチェックポイントと照合します。相違があれば最初の相違を示し、"
    "終了コード 1 で終了します。",
    "Check every logged row against the log and the log against its signed checkpoints; exit 1 on any "
    "difference, naming the first one."))
def verify_cmd(
    ctx: typer.Context,
    sequence_first: Annotated[bool, typer.Option("--sequence/--no-sequence", help=h(
        "先に、記録を待っているものを監査ログに記録します（既定）。実際の相違だけが残ります。",
        "Log what is waiting first (default), so only real differences remain."))]
    = True,
) -> None:
    from server.audit import service

    with reported():
        sctx = _open(ctx)
        try:
            if sequence_first:
                service.sequence(sctx.engine, sctx.server_key, sctx.stamp())
            report = service.verify(sctx.engine, [sctx.server_key.verifier])
        finally:
            sctx.close()
    typer.echo(t(f"監査ログ: {report.size} 件、署名済みチェックポイント {report.checkpoints} 件、"
                 f"未記録 {report.pending} 件",
                 f"audit log: {report.size} entries, {report.checkpoints} signed checkpoints, "
                 f"{report.pending} pending"))
    if not report.ok:
        first = report.findings[0]
        for f in report.findings[1:20]:
            typer.echo("  " + f.line(), err=True)
        more = len(report.findings) - 20
        if more > 0:
            typer.echo(t(f"  …ほか {more} 件", f"  … and {more} more"), err=True)
        fail(t(f"相違あり（{len(report.findings)} 件）。最初の相違: {first.line()}",
               f"MISMATCH ({len(report.findings)} findings). First: {first.line()}"))
    typer.echo(t("一致: データベースは監査ログと署名済みチェックポイントのとおりです。",
                 "OK: the database matches the audit log and its signed checkpoints."))


@app.command("sequence", help=h(
    "新しいものを今すぐ監査ログに記録し、新しい署名済みチェックポイントを出力します（サーバーは数秒ごとに行います）。",
    "Log everything new now and print the new signed checkpoint (the server does this every few seconds)."))
def sequence_cmd(ctx: typer.Context) -> None:
    from server.audit import service

    with reported():
        sctx = _open(ctx)
        try:
            note = service.sequence(sctx.engine, sctx.server_key, sctx.stamp())
        finally:
            sctx.close()
    typer.echo(note if note else t("新しく記録するものはありません。", "nothing new to log."), nl=not note)


@app.command("checkpoint", help=h(
    "監査ログの最新の署名済みチェックポイントを出力します（監査人が保管するためのもの）。",
    "Print the newest signed checkpoint of the audit log (for an auditor to keep)."))
def checkpoint_cmd(ctx: typer.Context) -> None:
    from server.audit import service

    with reported():
        sctx = _open(ctx)
        try:
            with sctx.engine.connect() as conn:
                note = service.latest_checkpoint(conn)
        finally:
            sctx.close()
    if note is None:
        fail(t("監査ログはまだ空です。", "the audit log is still empty."))
    typer.echo(note, nl=False)
