"""``genba roster import FILE [--site ID --site-name NAME]``: load a roster CSV (and, for a site without a
server, the site itself) into state.db."""

from __future__ import annotations

import dataclasses
import hashlib
from pathlib import Path
from typing import Annotated

import typer

from genba.cli.common import data_dir, fail, reported
from genba.cli.words import h
from shared.device import load_identity
from shared.messages import t
from shared.paths import DataDir
from shared.state import (
    MAX_ROSTER_BYTES,
    RosterInvalid,
    SiteConfig,
    StateReader,
    StateWriter,
    offline_site_config,
    parse_roster_csv,
)

app = typer.Typer(help=h("この端末に保存する現場の作業員名簿。", "The site roster on this device (作業員名簿)."))


@app.command("import", help=h(
    "作業員名簿（state.db）を FILE の内容で置き換えます。不正な行が1行でもあれば何も取り込みません。\n\n"
    "サーバーのない現場では、--site（と --site-name）でこのキオスクの現場も設定します（docs/syncd.md）。"
    "state.db の書き込みロックを取るため、`genba syncd` の動作中は実行できません。"
    "登録済みの端末では、次の取得でサーバーの名簿がこの名簿を置き換え、現場は登録時のものになります。",
    "Replace the roster in state.db with FILE. Any bad line: nothing is imported.\n\n"
    "With --site (and --site-name), also sets this kiosk's site, for a site with no server (docs/syncd.md). "
    "Takes the state writer lock, so it refuses while `genba syncd` runs; on an enrolled device the server's "
    "roster replaces this one at the next pull, and its site comes from the enrollment."))
def import_roster(
    ctx: typer.Context,
    file: Annotated[Path, typer.Argument(help=h("作業員名簿の CSV（UTF-8 または CP932）。列は docs/syncd.md を参照。",
                                                "Roster CSV (UTF-8 or CP932); columns in docs/syncd.md."),
                                         exists=True, dir_okay=False, readable=True)],
    site: Annotated[str | None, typer.Option(
        "--site", help=h("この現場の現場ID（14桁）。サーバーのない現場で使います。",
                         "This site's 現場ID (14 digits), for a site without a server."))] = None,
    site_name: Annotated[str | None, typer.Option(
        "--site-name", help=h("キオスクに表示する現場名（--site と一緒に指定）。",
                              "The site's name, shown on the kiosk (with --site)."))] = None,
    change_site: Annotated[bool, typer.Option(
        "--change-site", help=h("以前に設定した別の現場を置き換えます（入力ミスの訂正）。",
                                "Replace a different site set earlier (a typing mistake)."))] = False,
) -> None:
    data = data_dir(ctx).ensure()
    if site is None and (site_name is not None or change_site):
        fail(t("--site-name と --change-site は --site と一緒に指定してください。何も取り込んでいません。",
               "--site-name and --change-site go with --site; nothing was imported."), code=2)
    with reported():
        if file.stat().st_size > MAX_ROSTER_BYTES:
            fail(t(f"名簿ファイルが大きすぎます（上限 {MAX_ROSTER_BYTES} バイト）。何も取り込んでいません。",
                   f"The roster file is larger than {MAX_ROSTER_BYTES} bytes; nothing was imported."))
        raw = file.read_bytes()
        try:
            workers = parse_roster_csv(raw)
        except RosterInvalid as exc:
            for line, message in exc.problems:
                typer.echo(t(f"{file.name} {line} 行目: {message}", f"{file.name} line {line}: {message}"), err=True)
            raise
        version = "csv:" + hashlib.sha256(raw).hexdigest()[:16]
        writer = StateWriter.open(data.state)
        try:
            config = None if site is None else _site_config(data, site, site_name, change_site)
            writer.replace_roster(workers, version=version, etag=None, source="csv", site_config=config)
        finally:
            writer.close()
    cards = sum(len(w.idms) for w in workers)
    typer.echo(t(f"名簿を取り込みました: 技能者 {len(workers)} 名、カード {cards} 枚（版 {version}）。",
                 f"Roster imported: {len(workers)} workers, {cards} cards (version {version})."))
    if config is not None:
        named = f"{config.site} {config.name}".rstrip()
        typer.echo(t(f"この端末の現場: {named}（以後のタッチはこの現場に記録します）。",
                     f"This kiosk's site: {named} (taps are recorded for it from now on)."))


def _site_config(data: DataDir, site: str, name: str | None, change: bool) -> SiteConfig:
    """What ``--site`` stores, checked against the enrollment and the site already set (under the writer lock)."""
    identity = load_identity(data)
    enrolled = identity.site if identity is not None and identity.server_url else None
    with StateReader(data.state) as state:
        current = state.site_config()
    if current.site is None and identity is not None:
        current = dataclasses.replace(current, site=identity.site)
    return offline_site_config(current, site=site, name=name, enrolled_site=enrolled, change=change)
