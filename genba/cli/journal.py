"""``genba journal``: simulate taps, verify the journal, show its tail."""

from __future__ import annotations

import json
import random
from pathlib import Path
from typing import Annotated

import typer

from genba.cli.common import data_dir, fail, reported
from genba.cli.words import h
from shared.device import load_identity, load_or_create_identity
from shared.errors import JournalDamaged
from shared.event import Direction
from shared.ids import Idm, check_ccus_id, parse_idm
from shared.journal import EventDraft, JournalReader, JournalWriter, verify_journal
from shared.journal.store import CLOCK_BEHIND
from shared.messages import explain, t

app = typer.Typer(help=h("端末の記録ファイル（journal.db）: 模擬タッチの記録、検証、最新の記録の表示。",
                         "The edge journal (journal.db): simulate, verify, tail."))

DEMO_SITE = "90000000000001"


def simulated_idm(rng: random.Random) -> Idm:
    """A plausible FeliCa IDm: manufacturer code 01 2E (as on many cards), then random bytes."""
    return parse_idm("012E" + "".join(rng.choice("0123456789ABCDEF") for _ in range(12)))


@app.command(help=h("模擬タッチを N 件、記録ファイルに追記します（端末の鍵がなければ作ります）。\n\n"
                    "模擬カードは実際の技能者と同じように、入場（in）と退場（out）を交互に繰り返します。",
                    "Append N simulated taps to the journal, creating the device key if needed.\n\n"
                    "Each simulated card alternates entry (in) and exit (out), as a real worker would."))
def simulate(
    ctx: typer.Context,
    taps: Annotated[int, typer.Option(min=1, max=1_000_000, help=h("追記するタッチの件数。",
                                                                   "How many taps to append."))] = 10,
    cards: Annotated[int, typer.Option(min=1, max=100_000, help=h("タッチするカードの枚数（異なるカード）。",
                                                                  "How many different cards tap."))] = 20,
    site: Annotated[str | None, typer.Option(help=h("端末に現場がまだないときの現場ID（14桁）。",
                                                    "14-digit site id (現場ID) if the device has none yet."))] = None,
    seed: Annotated[int | None, typer.Option(help=h("乱数のシード（同じ模擬を再現するため）。",
                                                    "Random seed, for repeatable simulations."))] = None,
) -> None:
    with reported():
        if site is not None:
            check_ccus_id(site, "site")
        data = data_dir(ctx)
        identity, key = load_or_create_identity(data, site=site)
        use_site = identity.site or DEMO_SITE
        rng = random.Random(seed)
        pool = [simulated_idm(rng) for _ in range(cards)]
        inside: set[str] = set()
        writer = JournalWriter.open(data.journal, identity, key)
        try:
            last = None
            for _ in range(taps):
                idm = rng.choice(pool)
                direction: Direction = "out" if idm in inside else "in"
                inside.symmetric_difference_update({idm})
                last = writer.append(
                    EventDraft(kind="tap", reader="sim", site=use_site, idm=idm, direction=direction)
                )
        finally:
            writer.close()
        assert last is not None
        typer.echo(
            t(f"{taps} 件の模擬タッチを記録しました（端末 {identity.device}、最終番号 {last.seq}）。",
              f"Appended {taps} simulated taps (device {identity.device}, last seq {last.seq}).")
        )


@app.command(help=h("すべてのハッシュと署名を確認します。損傷があれば最初の異常な seq を表示し、0以外で終了します。",
                    "Check every hash and signature; on damage print the first bad seq and exit non-zero."))
def verify(
    ctx: typer.Context,
    path: Annotated[Path | None, typer.Argument(help=h("確認する journal.db（既定: データディレクトリのもの）。",
                                                       "journal.db to check (default: the data directory's)."))
                    ] = None,
    as_json: Annotated[bool, typer.Option("--json", help=h("結果を JSON オブジェクト1つで出力します。",
                                                           "Print the result as one JSON object."))] = False,
) -> None:
    target = path or data_dir(ctx).journal
    try:
        report = verify_journal(target)
    except JournalDamaged as exc:
        if as_json:
            typer.echo(json.dumps({"ok": False, **exc.to_dict()}))
            raise typer.Exit(1) from None
        where = exc.first_bad_seq if exc.first_bad_seq is not None else t("不明", "unknown")
        fail(t(f"損傷あり: 最初の異常番号 seq {where}。", f"DAMAGED: first bad seq {where}. ") + explain(exc))
    if as_json:
        typer.echo(json.dumps({
            "ok": True, "device": report.device, "events": report.events,
            "epochs": [{"epoch": e.epoch, "first": e.first, "last": e.last, "head": e.head.hex()}
                       for e in report.epochs],
        }))
        return
    ranges = ", ".join(t(f"世代 {e.epoch}: seq {e.first}–{e.last}", f"epoch {e.epoch}: seq {e.first}–{e.last}")
                       for e in report.epochs) or "-"
    typer.echo(t(f"正常: {report.events} 件の記録、すべてのハッシュと署名を確認しました（{ranges}）。",
                 f"OK: {report.events} events, every hash and signature verified ({ranges})."))


@app.command(help=h("最新の記録を読みやすく表示します（IDm は大文字16桁の16進数）。",
                    "Show the latest events readably (IDm as 16 upper-case hex digits)."))
def tail(
    ctx: typer.Context,
    n: Annotated[int, typer.Option("-n", "--lines", min=1, max=10_000, help=h("表示する件数。",
                                                                              "How many events."))] = 20,
    as_json: Annotated[bool, typer.Option("--json", help=h("保存されたとおりの形で1行に1件（正規化 JSON）。",
                                                           "One event per line as stored (canonical JSON)."))
                       ] = False,
) -> None:
    data = data_dir(ctx)
    if load_identity(data) is None and not data.journal.exists():
        fail(t(f"記録ファイルがありません: {data.journal}", f"No journal at {data.journal}"))
    with reported(), JournalReader(data.journal, check=True) as reader:
        events = reader.tail(n)
        flags = {(s.event.epoch, s.seq): reader.flags(s.event.epoch, s.seq) for s in events}
    dirs = {"in": t("入場", "in"), "out": t("退場", "out"), None: "-"}
    for stored in events:
        e = stored.event
        if as_json:
            typer.echo(stored.data.decode())
            continue
        who = e.idm or (t(f"技能者 {e.worker}", f"worker {e.worker}") if e.worker else "-")
        extra = f" ref={e.ref}" if e.ref else ""
        behind = flags[(e.epoch, e.seq)].get(CLOCK_BEHIND)
        if behind:
            extra += t(f" [時計逆行: {behind} より前]", f" [clock behind: earlier than {behind}]")
        typer.echo(f"{e.epoch}:{e.seq:>7}  {e.at}  {e.kind:<6} {dirs[e.direction]:<4} {who:<20} "
                   f"reader={e.reader} site={e.site}{extra}")
    if not events:
        typer.echo(t("記録はまだありません。", "No events yet."))
