"""The end of ``genba demo``: the back-office console's address and a demo sign-in; ``--serve`` keeps it running."""

from __future__ import annotations

import time
from pathlib import Path
from typing import Any

import typer

from shared.messages import t


def show_console(server: Any, server_root: Path, *, serve: bool) -> None:
    """Print how to open the console; with ``serve``, keep the demo server running until Ctrl-C."""
    from server.web.demo import demo_sign_in

    login, password = demo_sign_in(server.context)
    if serve:
        typer.echo(t(f"管理コンソール: {server.url}/ （サインイン名 {login}、パスワード {password}）。"
                     "Ctrl-C で終了します。",
                     f"Back-office console: {server.url}/ (sign in as {login}, password {password}). "
                     "Press Ctrl-C to stop."))
        try:
            while True:
                time.sleep(3600)
        except KeyboardInterrupt:
            typer.echo(t("サーバーを停止しました。", "Server stopped."))
        return
    typer.echo(t(f"管理コンソール: genba --data-dir {server_root} server run で起動し http://127.0.0.1:8470/ を開く"
                 f"（サインイン名 {login}、パスワード {password}）。すぐ試すには genba demo --serve。",
                 f"Back-office console: start it with genba --data-dir {server_root} server run and open "
                 f"http://127.0.0.1:8470/ (sign in as {login}, password {password}); "
                 "or run genba demo --serve to keep this demo's server up."))
