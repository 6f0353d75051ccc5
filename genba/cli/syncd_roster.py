"""``genba roster import FILE``: load a roster CSV into state.db, for sites without a server."""

from __future__ import annotations

import hashlib
from pathlib import Path
from typing import Annotated

import typer

from genba.cli.common import data_dir, fail, reported
from shared.messages import t
from shared.state import MAX_ROSTER_BYTES, RosterInvalid, StateWriter, parse_roster_csv

app = typer.Typer(help="The site roster on this device (作業員名簿). / 端末の作業員名簿")


@app.command("import")
def import_roster(
    ctx: typer.Context,
    file: Annotated[Path, typer.Argument(help="Roster CSV (UTF-8 or CP932); columns in docs/syncd.md.",
                                         exists=True, dir_okay=False, readable=True)],
) -> None:
    """Replace the roster in state.db with FILE. Any bad line: nothing is imported.

    Takes the state writer lock, so it refuses while `genba syncd` runs; on an
    enrolled device the server's roster replaces this one at the next pull.
    """
    data = data_dir(ctx).ensure()
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
            writer.replace_roster(workers, version=version, etag=None, source="csv")
        finally:
            writer.close()
    cards = sum(len(w.idms) for w in workers)
    typer.echo(t(f"名簿を取り込みました: 技能者 {len(workers)} 名、カード {cards} 枚（版 {version}）。",
                 f"Roster imported: {len(workers)} workers, {cards} cards (version {version})."))
