"""The ``genba`` command: one entry point, one data directory (``--data-dir`` / ``GENBA_DATA_DIR``).

Command names follow the contract in the architecture handbook; scripts and
site manuals depend on them. Every command exits 0 on success and non-zero
with a one-line reason on failure.
"""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import typer

from genba.cli import demo as demo_cmd
from genba.cli import journal
from genba.cli.extras import missing_extra_message
from genba.cli.words import h, localize_framework, mend_usage_errors
from shared import __version__
from shared.paths import ENV_DATA_DIR

localize_framework()
mend_usage_errors()

app = typer.Typer(
    name="genba",
    help=h("現場（Genba）: CCUS カードで入退場を記録するキオスクと、その記録を集める同期サーバー。"
           "英語で表示するには GENBA_LANG=en を指定します。",
           "Genba (現場): CCUS card-tap kiosk and sync server. For Japanese, unset GENBA_LANG or set it to ja."),
    no_args_is_help=True,
    pretty_exceptions_enable=False,
    context_settings={"help_option_names": ["-h", "--help"]},
)


def _version(value: bool) -> None:
    if value:
        typer.echo(f"genba {__version__}")
        raise typer.Exit()


@app.callback()
def root(
    ctx: typer.Context,
    data_dir: Annotated[
        Path | None,
        typer.Option(
            "--data-dir",
            envvar=ENV_DATA_DIR,
            help=h("データディレクトリ（journal.db、state.db、鍵）。既定は ~/.local/share/genba。",
                   "Data directory (journal.db, state.db, keys). Default ~/.local/share/genba."),
            file_okay=False,
        ),
    ] = None,
    version: Annotated[
        bool, typer.Option("--version", callback=_version, is_eager=True,
                     help=h("バージョンを表示して終了します。", "Print the version and exit."))
    ] = False,
) -> None:
    ctx.obj = {"data_dir": data_dir}


app.add_typer(journal.app, name="journal")
app.command("demo", help=demo_cmd.DEMO_HELP)(demo_cmd.demo)
from genba.cli import syncd as syncd_cli  # noqa: E402  (edge sync: issue 5)
from genba.cli import syncd_roster  # noqa: E402

app.add_typer(syncd_roster.app, name="roster")
app.add_typer(syncd_cli.app, name="syncd")
app.add_typer(syncd_cli.device_app, name="device")
app.command("export", help=syncd_cli.EXPORT_HELP)(syncd_cli.export)
app.command("import-receipts", help=syncd_cli.IMPORT_RECEIPTS_HELP)(syncd_cli.import_receipts_cmd)
from genba.cli import siblings as siblings_cli  # noqa: E402  (sibling gates on the LAN: issue 14)

app.add_typer(siblings_cli.app, name="siblings")
from genba.cli import audit as audit_cli  # noqa: E402  (audit log, the device's side: issue 15)

app.add_typer(audit_cli.app, name="audit")
from genba.cli import server as server_cli  # noqa: E402  (sync server: issue 5)

app.add_typer(server_cli.app, name="server")
from genba.cli import server_domain  # noqa: E402  (server domain: issue 6)

server_domain.register(server_cli.app)
from genba.cli import server_audit  # noqa: E402  (audit log: issue 15)

server_cli.app.add_typer(server_audit.app, name="audit")
from genba.cli import server_key  # noqa: E402  (the server key apart from the database: issue 15)

server_cli.app.add_typer(server_key.app, name="key")
from genba.cli import server_backup  # noqa: E402  (backup and restore: issue 15)

server_backup.register(server_cli.app)
from genba.cli import server_report  # noqa: E402  (reports: issue 12)

server_cli.app.command("report", help=server_report.REPORT_HELP)(server_report.report_cmd)

from genba.cli import kiosk as kiosk_cli  # noqa: E402  (kiosk: issue 4)

app.add_typer(kiosk_cli.app, name="kiosk")
from genba.cli import tablet as tablet_cli  # noqa: E402  (tablet view: issue 14)

app.add_typer(tablet_cli.app, name="tablet")

from genba.cli import reader  # noqa: E402  (card readers: issue 3)

app.add_typer(reader.app, name="reader")


def main() -> None:
    try:
        app()
    except ModuleNotFoundError as exc:
        # A library of another role's extra (a kiosk-only install running `genba server run`): say which
        # extra to install instead of a traceback. Any other missing module is a real bug: let it show.
        message = missing_extra_message(exc)
        if message is None:
            raise
        typer.echo(message, err=True)
        raise SystemExit(1) from None
