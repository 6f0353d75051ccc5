"""``genba kiosk``: the touch screen at the site entrance, or headless logging; ``genba kiosk set-pin``.

The kiosk is the only writer of journal.db (it takes the journal's writer
lock) and only reads state.db. Exit codes: 0 when stopped normally, 1 with a
one-line reason when it cannot start (journal busy, bad reader path, damaged
settings). A manager's "restart" reopens journal, state and reader in place.
"""

from __future__ import annotations

import logging
import sys
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Annotated

import typer

from genba.cli.common import data_dir, fail, reported
from shared.messages import t

app = typer.Typer(help="The kiosk at the site entrance. / 現場入口のキオスク")

DEFAULT_READER = "auto"


@app.callback(invoke_without_command=True)
def kiosk(
    ctx: typer.Context,
    reader: Annotated[str, typer.Option(
        "--reader", help="Card reader path as in nfcpy: auto, usb, pcsc, udp:HOST:PORT, sim, sim:-, sim:FILE.")
    ] = DEFAULT_READER,
    headless: Annotated[bool, typer.Option(
        "--headless", help="No screen: reader, journal and sound only; one log line per tap.")] = False,
    windowed: Annotated[bool, typer.Option(
        "--windowed", help="A 1024x600 window instead of full screen (development, demos).")] = False,
) -> None:
    """Run the kiosk: full-screen touch UI (default) or --headless logging."""
    if ctx.invoked_subcommand is not None:
        return
    logging.basicConfig(level=logging.INFO, format="%(asctime)s %(levelname)s %(name)s: %(message)s",
                        stream=sys.stderr)
    from hardware import open_reader
    from kiosk.core import KioskCore
    from kiosk.ui.app import run_headless, run_window
    from kiosk.ui.model import RESTART_EXIT_CODE

    data = data_dir(ctx)
    code = RESTART_EXIT_CODE
    with reported(), _io_errors(data.root):
        data.ensure()
        while code == RESTART_EXIT_CODE:
            device = open_reader(reader)
            core = KioskCore.open(data)
            try:
                core.prune()
                if headless:
                    typer.echo(t(f"ヘッドレスで起動しました（リーダー {reader}、データ {data.root}）。",
                                 f"Headless kiosk started (reader {reader}, data {data.root})."))
                    code = run_headless(core, device)
                else:
                    code = run_window(core, device, fullscreen=not windowed)
            finally:
                device.close()
                core.close()
            if code == RESTART_EXIT_CODE:
                typer.echo(t("再起動します。", "Restarting."))
    if code != 0:
        fail(t(f"キオスクが終了コード {code} で止まりました。", f"The kiosk stopped with exit code {code}."), code)


@contextmanager
def _io_errors(root: Path) -> Iterator[None]:
    """A data directory the kiosk cannot write (read-only file system, wrong owner) is a one-line error."""
    try:
        yield
    except OSError as exc:
        fail(t(f"エラー: データフォルダ {root} に書き込めません（{exc.strerror}）。ディスクの空きと書き込み可否、"
               "権限を確認してください。",
               f"Error: cannot write the data directory {root} ({exc.strerror}). Check free space, that the disk "
               "is writable, and permissions."))


@app.command("set-pin")
def set_pin(
    ctx: typer.Context,
    pin_stdin: Annotated[bool, typer.Option(
        "--pin-stdin", help="Read the new PIN from standard input (for provisioning scripts).")] = False,
) -> None:
    """Set the manager PIN (4–12 digits); stored as a salted scrypt hash in kiosk.json (mode 600)."""
    from kiosk.manager import hash_pin
    from kiosk.settings import load_settings, save_settings, settings_path

    data = data_dir(ctx)
    with reported(), _io_errors(data.root):
        data.ensure()
        if pin_stdin:
            pin = sys.stdin.readline().strip()
        else:
            pin = typer.prompt(t("新しい管理者PIN", "New manager PIN"), hide_input=True,
                               confirmation_prompt=True).strip()
        settings = load_settings(data.root)
        save_settings(data.root, settings.with_changes(pin=hash_pin(pin)))
    typer.echo(t(f"管理者PINを設定しました（{settings_path(data.root)}）。",
                 f"Manager PIN set ({settings_path(data.root)})."))
