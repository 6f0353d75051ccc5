"""``genba reader``: find card readers and watch their taps — for a site manager checking an installation.

``probe`` lists the supported readers plugged in (USB, via sysfs) and the
readers pcscd knows, with the path and backend that would drive each, and
says what ``--reader auto`` would pick. ``watch`` opens one reader and prints
every tap (IDm as 16 upper-case hex digits) and every status change until
Ctrl-C, the end of a simulator script or standard input, or ``--count`` taps.
"""

from __future__ import annotations

import json
import logging
import sys
from datetime import datetime
from typing import Annotated, Any

import typer

from genba.cli.common import fail
from genba.cli.words import h
from hardware import HardwareError, open_reader
from hardware.base import ReaderStatus, Tap
from hardware.errors import PcscdUnavailable
from hardware.polling import DataBlock
from hardware.usb import SUPPORTED, find_usb_readers
from shared.messages import t

app = typer.Typer(help=h("カードリーダー: 接続されたリーダーの確認とタッチの監視。",
                         "Card readers: probe and watch taps."))


def _hex16(value: str, what: str) -> int:
    try:
        number = int(value, 16)
    except ValueError:
        fail(t(f"エラー: {what} は16進数で指定してください: {value!r}",
               f"Error: {what} must be hexadecimal: {value!r}"))
    if not 0 <= number <= 0xFFFF:
        fail(t(f"エラー: {what} は 0000〜FFFF です: {value!r}", f"Error: {what} must be 0000–FFFF: {value!r}"))
    return number


def probe_report() -> dict[str, Any]:
    """What is plugged in and what pcscd knows, as plain data (also the ``--json`` output)."""
    usb = [
        {"model": r.model, "usb_id": r.usb_id, "bus": r.bus, "device": r.device, "backend": r.backend,
         "path": r.path, "accessible": r.accessible}
        for r in find_usb_readers()
    ]
    pcsc: dict[str, Any]
    try:
        from hardware.pcsc_backend import list_pcsc_readers

        names = list_pcsc_readers()
        pcsc = {"running": True, "readers": [{"name": n, "path": f"pcsc:{i}", "backend": "pcsc"}
                                             for i, n in enumerate(names)]}
    except PcscdUnavailable as exc:
        pcsc = {"running": False, "readers": [], "detail": exc.message}
    auto = next((u["path"] for u in usb if u["backend"] == "nfcpy" and u["accessible"]), None)
    if auto is None and pcsc["readers"]:
        auto = pcsc["readers"][0]["path"]
    return {"usb": usb, "pcscd": pcsc, "auto": auto}


@app.command(help=h("見つかったカードリーダーと、それぞれを動かすバックエンドを一覧表示します。使えるリーダーがなければ"
                    "終了コード1で終了します。",
                    "List the card readers found and which backend would drive each; exit 1 if none is usable."))
def probe(
    as_json: Annotated[bool, typer.Option("--json", help=h("テキストではなく JSON オブジェクト1つで出力します。",
                                                           "Print one JSON object instead of text."))] = False,
) -> None:
    report = probe_report()
    if as_json:
        typer.echo(json.dumps(report, ensure_ascii=False))
    else:
        _print_probe(report)
    if report["auto"] is None:
        fail(t("使えるカードリーダーが見つかりません。上の案内を確認してください。",
               "No usable card reader found; see the advice above."))


def _print_probe(report: dict[str, Any]) -> None:
    typer.echo(t("USB のカードリーダー:", "Card readers on USB:"))
    if not report["usb"]:
        models = ", ".join(sorted({m for m, _ in SUPPORTED.values()}))
        typer.echo(t(f"  なし（対応機種: {models}）", f"  none (supported: {models})"))
    for u in report["usb"]:
        access = t("使用可", "usable") if u["accessible"] else t(
            "権限なし — udev ルールを入れてください（docs/readers.md）",
            "NO PERMISSION — install the udev rules (docs/readers.md)")
        typer.echo(f"  {u['model']}  {u['usb_id']}  bus {u['bus']:03d} dev {u['device']:03d}  "
                   f"backend={u['backend']}  path={u['path']}  {access}")
    pcscd = report["pcscd"]
    if pcscd["running"]:
        typer.echo(t("pcscd のリーダー:", "Readers known to pcscd:"))
        if not pcscd["readers"]:
            typer.echo(t("  なし", "  none"))
        for r in pcscd["readers"]:
            typer.echo(f"  {r['path']}  {r['name']}  backend=pcsc")
    else:
        typer.echo(t(f"pcscd: 動いていません（{pcscd['detail']}）。RC-S300 を使うには pcscd が必要です。",
                     f"pcscd: not running ({pcscd['detail']}). The RC-S300 needs pcscd."))
    if report["auto"] is not None:
        typer.echo(t(f"--reader auto はこれを使います: {report['auto']}", f"--reader auto would use: {report['auto']}"))


def _line(event: Tap | ReaderStatus, as_json: bool) -> str:
    now = datetime.now().astimezone()
    if as_json:
        if isinstance(event, Tap):
            return json.dumps({"type": "tap", "at": now.isoformat(timespec="milliseconds"), "idm": event.idm,
                               "reader": event.reader, "mono_us": event.mono_us, "pmm": event.pmm,
                               "system_code": event.system_code, "card_data": event.card_data})
        return json.dumps({"type": "status", "at": now.isoformat(timespec="milliseconds"), "kind": event.kind,
                           "code": event.code, "reader": event.reader, "message": event.message(),
                           "detail": event.detail}, ensure_ascii=False)
    clock = now.strftime("%H:%M:%S.%f")[:-3]
    if isinstance(event, Tap):
        extra = "".join(f"  {k}={v}" for k, v in (("pmm", event.pmm), ("system", event.system_code),
                                                  ("data", event.card_data)) if v is not None)
        return f"{clock}  TAP     {event.idm}  reader={event.reader}{extra}"
    detail = f"  [{event.detail}]" if event.detail else ""
    return f"{clock}  {event.kind.upper():<7} {event.code}: {event.message()}{detail}"


@app.command(help=h("タッチ（IDm は大文字16桁の16進数）と状態の変化を1件ずつ表示します（Ctrl-C で停止）。",
                    "Print each tap (IDm as 16 upper-case hex digits) and each status change until Ctrl-C."))
def watch(
    reader: Annotated[str, typer.Option("--reader", "-r", envvar="GENBA_READER",
                                        help=h("カードリーダーのパス: auto、usb、usb:VVVV:PPPP、pcsc、pcsc:N、"
                                               "udp:HOST:PORT、sim、sim:-（標準入力）、sim:FILE。",
                                               "Reader path: auto, usb, usb:VVVV:PPPP, pcsc, pcsc:N, udp:HOST:PORT, "
                                               "sim, sim:- (stdin), sim:FILE."))] = "auto",
    count: Annotated[int | None, typer.Option(min=1, help=h("この件数のタッチで止めます。",
                                                            "Stop after this many taps."))] = None,
    as_json: Annotated[bool, typer.Option("--json", help=h("1行に1つの JSON オブジェクトで出力します。",
                                                           "One JSON object per line."))] = False,
    service_code: Annotated[str | None, typer.Option(
        help=h("この FeliCa サービスコードのデータブロックも読み取ります（16進数、例: 090F）。",
               "Also read a data block from this FeliCa service code (hex, e.g. 090F)."))] = None,
    block: Annotated[int, typer.Option(min=0, max=255, help=h("--service-code で読むブロックの番号。",
                                                              "Block number for --service-code."))] = 0,
    system_code: Annotated[str, typer.Option(help=h("ポーリングする FeliCa システムコード（16進数。FFFF はすべて）。",
                                                    "FeliCa system code to poll for (hex; FFFF = any)."))] = "FFFF",
    poll_interval: Annotated[float | None, typer.Option(
        min=0.01, max=10.0, help=h("ポーリングの間隔（秒。既定0.25）。",
                                   "Seconds between polls (default 0.25)."))] = None,
    verbose: Annotated[bool, typer.Option("--verbose", "-v", help=h(
        "読み取りと再試行もすべてログに出します（デバッグ用）。", "Also log every read and retry (debug)."))] = False,
) -> None:
    logging.basicConfig(level=logging.DEBUG if verbose else logging.ERROR, stream=sys.stderr,
                        format="%(asctime)s %(levelname)s %(name)s: %(message)s")
    options: dict[str, Any] = {}
    if service_code is not None:
        options["data_block"] = DataBlock(system_code=_hex16(system_code, "--system-code"),
                                          service_code=_hex16(service_code, "--service-code"), block=block)
    elif system_code.upper() != "FFFF":
        fail(t("エラー: --system-code は --service-code と一緒に指定してください。",
               "Error: --system-code only applies together with --service-code."))
    if poll_interval is not None:
        options["poll_interval"] = poll_interval
    try:
        if reader.startswith("sim"):
            if options:
                fail(t("エラー: シミュレーターは読み取りオプションを受け付けません。",
                       "Error: the simulated reader takes no reading options."))
            opened = open_reader(reader)
        else:
            opened = open_reader(reader, **options)
    except HardwareError as exc:
        fail(t(f"エラー: カードリーダーを開けません（{exc.code}）: {exc.message}",
               f"Error: cannot open the card reader ({exc.code}): {exc.message}"))
    taps = 0
    try:
        for event in opened.events():
            typer.echo(_line(event, as_json))
            sys.stdout.flush()
            if isinstance(event, Tap):
                taps += 1
                if count is not None and taps >= count:
                    break
    except KeyboardInterrupt:
        typer.echo(t("停止しました。", "Stopped."), err=True)
    finally:
        opened.close()
