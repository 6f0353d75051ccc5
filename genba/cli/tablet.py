"""``genba tablet``: pairing codes and paired tablets of this kiosk's tablet view, from a shell.

For kiosks without a screen (``genba kiosk --headless``): the code a tablet
types is issued here instead of in manager mode, and tablets are listed and
revoked here. These commands change only the small pairing files in the data
directory (``tablet-pairing.json``, ``tablet-sessions.json``); the running
kiosk reads them at the next request.
"""

from __future__ import annotations

from typing import Annotated

import typer

from genba.cli.common import data_dir, fail, reported
from shared.messages import t

app = typer.Typer(help="The site manager's tablet view: pairing. / 現場管理者のタブレット画面: 接続")


def _access(ctx: typer.Context):  # type: ignore[no-untyped-def]
    from kiosk.web import Access
    from shared.clock import SystemClock

    data = data_dir(ctx).ensure()
    return Access(data.root, SystemClock())


@app.command("pair-code")
def pair_code(
    ctx: typer.Context,
    port: Annotated[int, typer.Option("--port", help="The kiosk's tablet port, for the address shown.")] = 8780,
    qr: Annotated[bool, typer.Option("--qr/--no-qr", help="Also draw the QR code in the terminal.")] = True,
) -> None:
    """Issue a single-use pairing code (valid 10 minutes); prints the code on its last line."""
    import segno

    from kiosk.web import lan_addresses

    with reported():
        code = _access(ctx).new_code()
    url = f"http://{lan_addresses()[0]}:{port}/pair"
    if qr:
        segno.make(f"{url}?code={code.code.replace('-', '')}", error="m").terminal(compact=True)
    typer.echo(t(f"タブレットで {url} を開き、このコードを入力してください（{code.expires:%H:%M} まで、1回限り）:",
                 f"Open {url} on the tablet and type this code (until {code.expires:%H:%M}, single use):"))
    typer.echo(code.code)


@app.command("list")
def list_tablets(ctx: typer.Context) -> None:
    """The paired tablets: id, name, paired at, expires, address."""
    with reported():
        sessions = _access(ctx).sessions()
    if not sessions:
        typer.echo(t("接続中のタブレットはありません。", "No paired tablets."))
    for s in sessions:
        typer.echo(f"{s.id}  {s.label}  {s.created}  {s.expires}  {s.address}  ({s.via})")


@app.command("revoke")
def revoke(ctx: typer.Context, session_id: Annotated[str, typer.Argument(help="The id from `genba tablet list`.")]
           ) -> None:
    """Revoke one paired tablet: its next request is refused."""
    with reported():
        done = _access(ctx).revoke(session_id)
    if not done:
        fail(t(f"タブレット {session_id} は見つかりません（genba tablet list で確認）。",
               f"No paired tablet {session_id} (see genba tablet list)."))
    typer.echo(t(f"タブレット {session_id} の接続を取り消しました。", f"Tablet {session_id} revoked."))
