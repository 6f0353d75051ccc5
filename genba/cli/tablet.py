"""``genba tablet``: pairing codes and paired tablets of this kiosk's tablet view, from a shell.

For kiosks without a screen (``genba kiosk --headless``): the code a tablet
types is issued here instead of in manager mode, and tablets are listed and
revoked here. These commands change only the small pairing files in the data
directory (``tablet-pairing.json``, ``tablet-sessions.json``); the running
kiosk reads them at the next request.

Times are printed in the site's zone (state.db's site configuration, Asia/Tokyo until one is received), as
the tablet view shows them, whatever zone this machine is set to.
"""

from __future__ import annotations

from datetime import tzinfo
from typing import Annotated

import typer

from genba.cli.common import data_dir, fail, reported
from genba.cli.words import h
from shared.messages import t

app = typer.Typer(help=h("現場管理者のタブレット画面: タブレットの接続（ペアリング）。",
                         "The site manager's tablet view: pairing."))


def _access(ctx: typer.Context):  # type: ignore[no-untyped-def]
    from kiosk.web import Access
    from shared.clock import SystemClock

    data = data_dir(ctx).ensure()
    return Access(data.root, SystemClock())


def _site_zone(ctx: typer.Context) -> tzinfo:
    """The site's time zone: the one the kiosk decides and shows times in (state.db's site configuration).

    A state.db that cannot be read does not stop pairing (the pairing files are apart from it): the times are
    then shown in the default zone, and stderr says so.
    """
    from shared.errors import GenbaError
    from shared.siterules import DEFAULT_TIMEZONE, site_timezone
    from shared.state import StateReader

    try:
        with StateReader(data_dir(ctx).state) as reader:
            return reader.site_config().zone
    except GenbaError as exc:
        typer.echo(t(f"注意: 同期状態ファイル（state.db）を読めないため、時刻は {DEFAULT_TIMEZONE} で表示します"
                     f"（{exc.code}）。",
                     f"Note: state.db cannot be read, so times are shown in {DEFAULT_TIMEZONE} ({exc.code})."),
                   err=True)
        return site_timezone(DEFAULT_TIMEZONE)


@app.command("pair-code", help=h("1回限りの接続コード（10分間有効）を発行します。コードは最後の行に出ます。",
                                  "Issue a single-use pairing code (valid 10 minutes); prints the code on its last "
                                  "line."))
def pair_code(
    ctx: typer.Context,
    port: Annotated[int, typer.Option("--port", help=h("キオスクのタブレット画面のポート（表示するアドレス用）。",
                                                       "The kiosk's tablet port, for the address shown."))] = 8780,
    qr: Annotated[bool, typer.Option("--qr/--no-qr", help=h("QR コードもターミナルに表示します。",
                                                            "Also draw the QR code in the terminal."))] = True,
) -> None:
    import segno

    from kiosk.web import lan_addresses

    zone = _site_zone(ctx)
    with reported():
        code = _access(ctx).new_code()
    until = code.expires.astimezone(zone)
    url = f"http://{lan_addresses()[0]}:{port}/pair"
    if qr:
        segno.make(f"{url}?code={code.code.replace('-', '')}", error="m").terminal(compact=True)
    typer.echo(t(f"タブレットで {url} を開き、このコードを入力してください（{until:%H:%M} まで、1回限り）:",
                 f"Open {url} on the tablet and type this code (until {until:%H:%M}, single use):"))
    typer.echo(code.code)


@app.command("list", help=h("接続済みのタブレット: ID、名前、接続日時、有効期限（現場の時刻）、アドレス。",
                             "The paired tablets: id, name, paired at, expires (the site's time), address."))
def list_tablets(ctx: typer.Context) -> None:
    from shared.timefmt import local_when

    zone = _site_zone(ctx)
    with reported():
        sessions = _access(ctx).sessions()
    if not sessions:
        typer.echo(t("接続中のタブレットはありません。", "No paired tablets."))
    for s in sessions:
        paired, expires = local_when(s.created, zone), local_when(s.expires, zone)
        typer.echo(f"{s.id}  {s.label}  {paired}  {expires}  {s.address}  ({s.via})")


@app.command("revoke", help=h("接続済みのタブレットを1台失効させます: 次の要求から拒否されます。",
                               "Revoke one paired tablet: its next request is refused."))
def revoke(ctx: typer.Context, session_id: Annotated[str, typer.Argument(
        help=h("`genba tablet list` に表示される ID。", "The id from `genba tablet list`."))]) -> None:
    with reported():
        done = _access(ctx).revoke(session_id)
    if not done:
        fail(t(f"タブレット {session_id} は見つかりません（genba tablet list で確認）。",
               f"No paired tablet {session_id} (see genba tablet list)."))
    typer.echo(t(f"タブレット {session_id} の接続を取り消しました。", f"Tablet {session_id} revoked."))
