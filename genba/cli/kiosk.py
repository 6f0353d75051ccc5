"""``genba kiosk``: the touch screen at the site entrance, or headless logging; ``genba kiosk set-pin``.

The kiosk is the only writer of journal.db (it takes the journal's writer
lock) and only reads state.db. Exit codes: 0 when stopped normally, 1 with a
one-line reason when it cannot start (journal busy, bad reader path, damaged
settings). A manager's "restart" reopens journal, state and reader in place.
"""

from __future__ import annotations

import logging
import sqlite3
import sys
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import TYPE_CHECKING, Annotated

import typer

from genba.cli.common import data_dir, fail, reported
from genba.cli.words import h
from shared.messages import t

if TYPE_CHECKING:
    from kiosk.direction import GateMode
    from kiosk.web import TabletOptions

app = typer.Typer(help=h("現場入口のキオスク: 全画面のタッチ画面（既定）、または --headless で画面なしの記録。",
                         "The kiosk at the site entrance: full-screen touch UI (default) or --headless logging."))

DEFAULT_READER = "auto"


@app.callback(invoke_without_command=True)
def kiosk(
    ctx: typer.Context,
    reader: Annotated[str, typer.Option(
        "--reader", help=h("カードリーダーのパス（nfcpy と同じ形式）: auto、usb、pcsc、udp:HOST:PORT、sim、sim:-、"
                           "sim:FILE。",
                           "Card reader path as in nfcpy: auto, usb, pcsc, udp:HOST:PORT, sim, sim:-, sim:FILE."))
    ] = DEFAULT_READER,
    headless: Annotated[bool, typer.Option(
        "--headless", help=h("画面なし: カードリーダー・記録ファイル・音だけで動き、タッチごとにログを1行出します。",
                             "No screen: reader, journal and sound only; one log line per tap."))] = False,
    windowed: Annotated[bool, typer.Option(
        "--windowed", help=h("全画面ではなく 1024x600 のウィンドウで表示します（開発・デモ用）。",
                             "A 1024x600 window instead of full screen (development, demos)."))] = False,
    demo: Annotated[bool, typer.Option(
        "--demo", help=h("模擬カードリーダーを使い、デモ現場をウィンドウで表示します: キー1〜6と9で"
                         "カードをタッチします。",
                         "A demo site in a window with the simulated reader: tap cards with the keys 1-6 and 9."))
    ] = False,
    tablet_port: Annotated[int, typer.Option(
        "--tablet-port", envvar="GENBA_TABLET_PORT", min=0, max=65535,
        help=h("現場管理者のタブレット画面を LAN に提供するポート（0で無効）。",
               "Port of the site manager's tablet view on the LAN (0: off)."))] = 8780,
    no_tablet: Annotated[bool, typer.Option("--no-tablet", help=h("タブレット画面を提供しません。",
                                                                  "Do not serve the tablet view."))] = False,
    end_of_day: Annotated[str, typer.Option(
        "--end-of-day", envvar="GENBA_END_OF_DAY",
        help=h("現場の終業時刻（HH:MM）。タブレット画面の退場漏れ一覧に使います。",
               "The site's end of work (HH:MM) for the tablet's list of missed exits.")
    )] = "18:00",
    mode: Annotated[str | None, typer.Option(
        "--mode", help=h("ゲートモード（kiosk.json に保存）: auto、entry（入場専用）、exit（退場専用）。",
                         "Gate mode, kept in kiosk.json: auto, entry (entry gate only) or exit (exit gate only)."))
    ] = None,
    theme: Annotated[str | None, typer.Option(
        "--theme", help=h("画面テーマ（kiosk.json に保存）: dark、または light（屋外用の高コントラスト）。",
                          "Screen theme, kept in kiosk.json: dark, or light (high contrast for daylight)."))
    ] = None,
) -> None:
    """The kiosk itself when no subcommand is given (its help is the group's)."""
    if ctx.invoked_subcommand is not None:
        return
    _logging()
    tablet = _tablet_options(0 if no_tablet else tablet_port, end_of_day)
    if demo:
        _run_demo(ctx, tablet)
        return
    from hardware import open_reader
    from kiosk.core import KioskCore
    from kiosk.ui.app import run_headless, run_window
    from kiosk.ui.model import RESTART_EXIT_CODE

    data = data_dir(ctx)
    gate = None if mode is None else _gate_mode(mode)
    look = None if theme is None else _theme(theme)
    code = RESTART_EXIT_CODE
    with reported(), _io_errors(data.root):
        data.ensure()
        while code == RESTART_EXIT_CODE:
            device = open_reader(reader)
            core = KioskCore.open(data)
            try:
                core.prune()
                if gate is not None and core.pipeline.mode is not gate:
                    core.set_mode(gate)
                if look is not None and core.settings.theme != look:
                    core.set_theme(look)
                if headless:
                    label = _MODE_WORDS[core.pipeline.mode.value]
                    typer.echo(t(f"ヘッドレスで起動しました（リーダー {reader}、{label[0]}、データ {data.root}）。",
                                 f"Headless kiosk started (reader {reader}, {label[1]}, data {data.root})."))
                    code = run_headless(core, device, tablet=tablet)
                else:
                    code = run_window(core, device, fullscreen=not windowed, tablet=tablet)
            finally:
                device.close()
                core.close()
            if code == RESTART_EXIT_CODE:
                typer.echo(t("再起動します。", "Restarting."))
    if code != 0:
        fail(t(f"キオスクが終了コード {code} で止まりました。", f"The kiosk stopped with exit code {code}."), code)


_MODES = {"auto": "auto", "entry": "entry_only", "entry_only": "entry_only", "entry-only": "entry_only",
          "exit": "exit_only", "exit_only": "exit_only", "exit-only": "exit_only"}
_MODE_WORDS = {"auto": ("自動（入場→退場）", "automatic (entry, then exit)"),
               "entry_only": ("入場専用", "entry gate only"), "exit_only": ("退場専用", "exit gate only")}


_THEME_WORDS = {"dark": ("暗い画面（標準）", "dark (default)"),
                "light": ("屋外用の明るい画面", "light, high contrast for daylight")}


def _theme(text: str) -> str:
    """A theme from the command line, or a one-line error naming the choices (nothing changed)."""
    value = text.strip().lower()
    if value not in _THEME_WORDS:
        fail(t(f"エラー: 画面テーマ {text!r} はありません。dark か light を指定してください。",
               f"Error: there is no theme {text!r}. Use dark or light."), 2)
    return value


def _gate_mode(text: str) -> GateMode:
    """A gate mode from the command line, or a one-line error naming the choices (nothing changed)."""
    from kiosk.direction import GateMode

    value = _MODES.get(text.strip().lower())
    if value is None:
        fail(t(f"エラー: ゲートモード {text!r} はありません。auto・entry・exit のどれかを指定してください。",
               f"Error: there is no gate mode {text!r}. Use auto, entry or exit."), 2)
    return GateMode(value)


def _logging() -> None:
    logging.basicConfig(level=logging.INFO, format="%(asctime)s %(levelname)s %(name)s: %(message)s",
                        stream=sys.stderr)


def _tablet_options(port: int, end_of_day: str) -> TabletOptions:
    from datetime import time

    from kiosk.web import TabletOptions

    try:
        hour, minute = (int(x) for x in end_of_day.split(":"))
        end = time(hour, minute)
    except ValueError:
        fail(t(f"--end-of-day は HH:MM で指定してください: {end_of_day!r}",
               f"--end-of-day must be HH:MM: {end_of_day!r}"))
    return TabletOptions(port=port, end_of_day=end)


def _run_demo(ctx: typer.Context, tablet: TabletOptions | None = None) -> None:
    """The kiosk on a demo site: a fresh temporary data directory unless --data-dir names one.

    The demo roster goes into state.db the way ``genba roster import`` puts it there (only when the
    directory has no roster yet); the manager PIN is 0000 unless one is set.
    """
    import tempfile

    from hardware.sim import SimulatedReader
    from kiosk.core import KioskCore
    from kiosk.demo import DEMO_PIN, DEMO_SITE, DEMO_SITE_NAME, demo_keys, roster_csv
    from kiosk.settings import load_settings
    from kiosk.ui.app import run_window
    from shared.device import load_or_create_identity
    from shared.paths import DataDir
    from shared.state import SiteConfig, StateReader, StateWriter, parse_roster_csv

    given = (ctx.find_root().obj or {}).get("data_dir")
    data = data_dir(ctx) if given else DataDir.resolve(Path(tempfile.mkdtemp(prefix="genba-kiosk-demo-")))
    with reported(), _io_errors(data.root):
        data.ensure()
        identity, _key = load_or_create_identity(data, site=DEMO_SITE)
        with StateReader(data.state) as state:
            has_roster = state.roster_size() > 0
        if not has_roster:
            writer = StateWriter.open(data.state)
            try:
                writer.replace_roster(parse_roster_csv(roster_csv().encode()), version="demo", etag=None,
                                      source="demo")
                writer.set_site_config(SiteConfig(site=identity.site or DEMO_SITE, name=DEMO_SITE_NAME))
            finally:
                writer.close()
        core = KioskCore.open(data)
        try:
            if load_settings(data.root).pin is None:
                core.set_pin(DEMO_PIN)
                typer.echo(t(f"デモの管理者PIN: {DEMO_PIN}", f"Demo manager PIN: {DEMO_PIN}"))
            device = SimulatedReader()
            keys, legend = demo_keys(device)
            typer.echo(t(f"デモのデータ: {data.root}", f"Demo data: {data.root}"))
            typer.echo(t("キーでカードをタッチ:", "Tap cards with the keys:"))
            for line in legend:
                typer.echo("  " + line)
            if tablet is not None and tablet.enabled:
                typer.echo(t(f"タブレット画面: http://127.0.0.1:{tablet.port}/pair （管理 → PIN → タブレット のコード、"
                             f"または PIN {DEMO_PIN}）",
                             f"Tablet view: http://127.0.0.1:{tablet.port}/pair (the code under 管理 → PIN → "
                             f"Tablet, or PIN {DEMO_PIN})"))
            run_window(core, device, fullscreen=False, keys=keys, tablet=tablet)
        finally:
            core.close()


@contextmanager
def _io_errors(root: Path) -> Iterator[None]:
    """A data directory the kiosk cannot write (read-only file system, wrong owner) or a journal that is not
    a database is a one-line error, not a traceback."""
    try:
        yield
    except sqlite3.DatabaseError as exc:
        fail(t(f"エラー: {root} の記録ファイル（journal.db）が壊れていて開けません（{exc}）。"
               "ファイルを別の場所に退避し（未送信の記録が残っている可能性があります）、管理者に連絡してください。",
               f"Error: the journal in {root} is damaged and cannot be opened ({exc}). Move journal.db aside "
               "(it may still hold unsent taps) and contact the administrator."))
    except OSError as exc:
        fail(t(f"エラー: データフォルダ {root} に書き込めません（{exc.strerror}）。ディスクの空きと書き込み可否、"
               "権限を確認してください。",
               f"Error: cannot write the data directory {root} ({exc.strerror}). Check free space, that the disk "
               "is writable, and permissions."))


@app.command("set-pin", help=h("管理者PIN（4〜12桁）を設定します。kiosk.json（モード 600）にソルト付きの scrypt "
                                "ハッシュで保存します。",
                                "Set the manager PIN (4–12 digits); stored as a salted scrypt hash in kiosk.json "
                                "(mode 600)."))
def set_pin(
    ctx: typer.Context,
    pin_stdin: Annotated[bool, typer.Option(
        "--pin-stdin", help=h("新しい PIN を標準入力から読みます（端末の準備用スクリプト向け）。",
                              "Read the new PIN from standard input (for provisioning scripts)."))] = False,
) -> None:
    from kiosk.manager import hash_pin
    from kiosk.settings import load_settings, save_settings, settings_path

    data = data_dir(ctx)
    with reported(), _io_errors(data.root):
        data.ensure()
        if pin_stdin:
            pin = sys.stdin.readline().strip()
        else:
            pin = typer.prompt(t("新しい管理者PIN", "New manager PIN"), hide_input=True,
                               confirmation_prompt=True).strip()
        settings = load_settings(data.root)
        save_settings(data.root, settings.with_changes(pin=hash_pin(pin)))
    typer.echo(t(f"管理者PINを設定しました（{settings_path(data.root)}）。",
                 f"Manager PIN set ({settings_path(data.root)})."))


@app.command("set-mode", help=h("ゲートモードを kiosk.json に設定します（動作中のキオスクは次の起動から従います）。"
                                 "指定しなければ現在のモードを表示します。",
                                 "Set the gate mode in kiosk.json (a running kiosk takes it at its next start), "
                                 "or print it."))
def set_mode(
    ctx: typer.Context,
    mode: Annotated[str | None, typer.Argument(
        help=h("auto、entry（入場専用）、exit（退場専用）のどれか。省略すると現在のモードを表示します。",
               "auto, entry (entry gate only) or exit (exit gate only); without it, print the current mode."))
    ] = None,
) -> None:
    from kiosk.settings import load_settings, save_settings, settings_path

    data = data_dir(ctx)
    with reported(), _io_errors(data.root):
        settings = load_settings(data.root)
        if mode is None:
            ja, en = _MODE_WORDS[settings.mode.value]
            typer.echo(t(f"ゲートモード: {ja}（{settings.mode.value}）", f"Gate mode: {en} ({settings.mode.value})"))
            return
        gate = _gate_mode(mode)
        data.ensure()
        save_settings(data.root, settings.with_changes(mode=gate))
    ja, en = _MODE_WORDS[gate.value]
    typer.echo(t(f"ゲートモードを「{ja}」にしました（{settings_path(data.root)}）。動作中のキオスクは次の起動から従います。",
                 f"Gate mode set to {en} ({settings_path(data.root)}). A running kiosk takes it at its next start."))


@app.command("set-theme", help=h("画面テーマを kiosk.json に設定します（動作中のキオスクは次の起動から従います）。"
                                  "指定しなければ現在のテーマを表示します。",
                                  "Set the screen theme in kiosk.json (a running kiosk takes it at its next start), "
                                  "or print it."))
def set_theme(
    ctx: typer.Context,
    theme: Annotated[str | None, typer.Argument(
        help=h("dark、または light（屋外用の高コントラスト）。省略すると現在のテーマを表示します。",
               "dark, or light (high contrast for daylight); without it, print the current theme."))] = None,
) -> None:
    from kiosk.settings import load_settings, save_settings, settings_path

    data = data_dir(ctx)
    with reported(), _io_errors(data.root):
        settings = load_settings(data.root)
        if theme is None:
            ja, en = _THEME_WORDS[settings.theme]
            typer.echo(t(f"画面テーマ: {ja}（{settings.theme}）", f"Theme: {en} ({settings.theme})"))
            return
        look = _theme(theme)
        data.ensure()
        save_settings(data.root, settings.with_changes(theme=look))
    ja, en = _THEME_WORDS[look]
    typer.echo(t(f"画面テーマを「{ja}」にしました（{settings_path(data.root)}）。動作中のキオスクは次の起動から従います。",
                 f"Theme set to {en} ({settings_path(data.root)}). A running kiosk takes it at its next start."))
