"""``genba server key create|show``: the server signing key kept apart from the database (docs/security.md)."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import typer

from genba.cli.common import fail, reported
from shared.messages import t

app = typer.Typer(help="The server signing key. / サーバー署名鍵", no_args_is_help=True)


@app.command("create")
def create(
    out: Annotated[Path, typer.Option("--out", help="Where to write the new key file (0600); must not exist.")],
    name: Annotated[str, typer.Option("--name", help="The key's name (devices see it).")] = "genba-server",
) -> None:
    """Create a server key file for server_key_path (never overwrites: a new key would orphan every device)."""
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


@app.command("show")
def show(ctx: typer.Context) -> None:
    """Print the public (verifier) key of the signer the settings name — what devices pin at enrollment."""
    from genba.cli.server import _settings
    from server.keys import load_server_signer

    with reported():
        signer = load_server_signer(_settings(ctx))
    typer.echo(signer.verifier.encode())
