"""``genba siblings``: the gates of one site on the LAN — pairing, one exchange, what is known (docs/syncd.md)."""

from __future__ import annotations

import json
from datetime import datetime
from typing import Annotated, Any

import typer

from genba.cli.common import data_dir, fail, reported
from genba.cli.words import h
from shared.device import load_or_create_identity
from shared.errors import GenbaError
from shared.messages import t
from shared.state import StateReader, StateWriter
from shared.state.siblings import sibling_alarms, sibling_chains, sibling_keys, sibling_peers
from shared.timefmt import local_when
from syncd.siblings import (
    DEFAULT_PORT,
    PAIR_CODE_TTL,
    Keyring,
    SiblingExchange,
    lan_addresses,
    load_config,
    pair_with,
    paired_keys,
    show_pair_code,
)

app = typer.Typer(help=h("LAN 上にある、この現場の隣のゲート。", "Sibling gates of this site on the LAN."))


def _now() -> datetime:
    return datetime.now().astimezone()


JSON = Annotated[bool, typer.Option("--json", help=h(
    "JSON オブジェクト1つで出力します（キオスクのタッチ画面が読む形式）。",
    "One JSON object (what the kiosk's touch screen reads)."))]


@app.command("pair-code", help=h(
    "この現場の別のゲートとペアリングするための1回限りのコード（10分間有効）を表示します。コードは最後の行に出ます。\n\n"
    "相手のゲートからのペアリング要求には syncd が応答するため、このゲートで syncd が動作している必要があります。",
    "Show a single-use pairing code (10 minutes) for another gate of this site; the code is on the last line."
    "\n\nThis gate's syncd must be running (it answers the other gate's pairing request)."))
def pair_code(ctx: typer.Context, as_json: JSON = False) -> None:
    data = data_dir(ctx).ensure()
    now = _now()
    with reported():
        code = show_pair_code(data, now)
        config = load_config(data, mdns=False)
    if as_json:
        port = config.port or DEFAULT_PORT
        hosts = lan_addresses() if config.listen in ("", "0.0.0.0") else [config.listen]
        typer.echo(json.dumps({"code": code, "expires": (now + PAIR_CODE_TTL).isoformat(timespec="seconds"),
                               "addresses": [f"{h}:{port}" for h in hosts], "port": port}))
        return
    typer.echo(t("もう一方のゲートで次を実行してください（10分間有効、1回限り）:",
                 "On the other gate run (valid 10 minutes, once):"))
    typer.echo(f"  genba siblings pair <{t('このゲートのアドレス', 'address of this gate')}>:{DEFAULT_PORT} {code}")
    typer.echo(code)


@app.command("pair", help=h("このゲートを現場の別のゲートとペアリングします: 両方のゲートが互いの端末の鍵を覚えます。",
                             "Pair this gate with another gate of the site: both learn each other's device key."))
def pair(ctx: typer.Context,
         address: Annotated[str, typer.Argument(help=h("相手のゲート、HOST:PORT（隣のゲート用のポート、8781）。",
                                                       "The other gate, HOST:PORT (its sibling port, 8781)."))],
         code: Annotated[str, typer.Argument(help=h("相手のゲートで `genba siblings pair-code` が表示したコード。",
                                                    "The code `genba siblings pair-code` showed there."))],
         as_json: JSON = False) -> None:
    data = data_dir(ctx).ensure()

    def go() -> dict[str, Any]:
        identity, key = load_or_create_identity(data)
        with StateReader(data.state) as reader:
            site = reader.site_config().site or identity.site
        return pair_with(data, identity, key, address, code, site=site, now=_now())

    if as_json:  # the outcome as one object, refusals included (exit code 1), with their machine-readable code
        try:
            reply = go()
        except GenbaError as exc:
            typer.echo(json.dumps({"ok": False, "code": exc.code, "message": exc.message}))
            raise typer.Exit(1) from None
        typer.echo(json.dumps({"ok": True, "device": reply["device"], "address": address}))
        return
    with reported():
        reply = go()
    typer.echo(t(f"ペアリングしました: {reply['device']}（{address}）。syncd が記録の交換を始めます。",
                 f"Paired with {reply['device']} ({address}); syncd exchanges records with it from now on."))


@app.command("sync", help=h("すべての隣のゲートから記録ファイルを1回取り込みます（syncd が動作していないとき。"
                             "syncd は数秒ごとにこれを行います）。",
                             "Pull every sibling's journal once (while syncd is not running; syncd does this "
                             "every few seconds)."))
def sync(ctx: typer.Context,
         sibling: Annotated[list[str] | None, typer.Option("--sibling", help=h("HOST:PORT（複数指定可）。",
                                                                               "HOST:PORT (repeatable)."))] = None,
         ) -> None:
    data = data_dir(ctx).ensure()
    with reported():
        config = load_config(data, extra_peers=sibling or (), mdns=False)
        identity, key = load_or_create_identity(data)
        state = StateWriter.open(data.state)
        try:
            exchange = SiblingExchange(data, identity, key, state, config, Keyring(data, data.state))
            try:
                report = exchange.run_once()
            finally:
                exchange.close()
        finally:
            state.close()
    problems = report.refused + report.errors
    typer.echo(t(f"隣のゲート {report.peers} 台から {report.pulled} 件を受け取りました。",
                 f"Received {report.pulled} records from {report.peers} sibling gates."))
    if problems:
        fail("; ".join(f"{p.code}: {p.message}" for p in problems))


@app.command("list", help=h("既知の隣のゲート: アドレス、鍵（サーバー経由かペアリングか）、受け取った記録、警報。",
                             "Known sibling gates: addresses, keys (server or paired), received records, alarms."))
def list_(ctx: typer.Context, as_json: Annotated[bool, typer.Option(
        "--json", help=h("JSON オブジェクト1つで出力します。", "Print one JSON object."))] = False) -> None:
    data = data_dir(ctx)
    with reported(), StateReader(data.state) as reader:
        keys = {**{k: "server" for k in sibling_keys(reader)}, **{k: "paired" for k in paired_keys(data)}}
        peers, chains, alarms = sibling_peers(reader), sibling_chains(reader), sibling_alarms(reader)
        zone = reader.site_config().zone
    if as_json:
        typer.echo(json.dumps({
            "keys": [{"device": d, "epoch": e, "source": s} for (d, e), s in sorted(keys.items())],
            "peers": [p.__dict__ if hasattr(p, "__dict__") else {f: getattr(p, f) for f in p.__slots__}
                      for p in peers],
            "chains": [{"device": c.device, "epoch": c.epoch, "first": c.first_seq, "last": c.last_seq}
                       for c in chains],
            "alarms": [{f: getattr(a, f) for f in a.__slots__} for a in alarms],
        }, ensure_ascii=False, indent=1))
        return
    typer.echo(t("鍵:", "Keys:"))
    for (d, e), s in sorted(keys.items()):
        typer.echo(f"  {d} e{e} ({s})")
    typer.echo(t("隣のゲート:", "Sibling gates:"))
    for p in peers:
        state = p.last_error_code or "ok"
        typer.echo(f"  {p.address} {p.device or '?'} {p.found_by} {local_when(p.last_contact, zone) or '-'} {state} "
                   f"{p.events}")
    for c in chains:
        typer.echo(f"  {c.device} e{c.epoch}: seq {c.first_seq}–{c.last_seq}")
    if alarms:
        typer.echo(t("警報:", "Alarms:"))
        for a in alarms:
            typer.echo(f"  {local_when(a.at, zone)} {a.code} {a.device} e{a.epoch} seq {a.seq} ({a.peer}): {a.detail}")
