"""``genba server key create|show``: the server signing key kept apart from the database (docs/security.md)."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import typer

from genba.cli.common import fail, reported
from genba.cli.words import h
from shared.messages import t

app = typer.Typer(help=h("サーバー署名鍵（データベースとは別に保管するもの）。",
                         "The server signing key (kept apart from the database)."),
                  no_args_is_help=True)


@app.command("create", help=h(
    "サーバー署名鍵ファイルを作成します。上書きはしません（新しい鍵にすると、すべての端末がこのサーバーを受け付けなく"
    "なるため）。設定 server_key_path に指定するファイルです。",
    "Create a server key file for server_key_path (never overwrites: a new key would orphan every device)."))
def create(
    out: Annotated[Path, typer.Option("--out", help=h(
        "新しい鍵ファイルの書き出し先（0600）。まだ存在しないパスを指定します。",
        "Where to write the new key file (0600); must not exist."))],
    name: Annotated[str, typer.Option("--name", help=h("鍵の名前（端末から見えます）。",
                                                       "The key's name (devices see it)."))] = "genba-server",
) -> None:
    from shared.keys import SigningKey, check_key_name

    with reported():
        check_key_name(name)
        if out.exists():
            fail(t(f"{out} はすでにあります。上書きしません（全端末がこのサーバーを拒否するため）。",
                   f"{out} already exists; not overwriting it (every device would refuse this server)."))
        out.parent.mkdir(parents=True, exist_ok=True)
        key = SigningKey.generate(name)
        key.save(out)
    typer.echo(key.verifier.encode())


@app.command("show", help=h(
    "設定が指定する署名鍵の公開鍵（検証鍵）を出力します。端末が登録時に固定する鍵です。",
    "Print the public (verifier) key of the signer the settings name — what devices pin at enrollment."))
def show(ctx: typer.Context) -> None:
    from genba.cli.server import _settings
    from server.keys import load_server_signer

    with reported():
        signer = load_server_signer(_settings(ctx))
    typer.echo(signer.verifier.encode())
