"""``genba demo``: the end-to-end demonstration on the embedded default (SQLite).

Steps: a sync server on SQLite in the demo folder (real HTTP on a free
loopback port), a device enrolled to it, simulated taps journaled and
verified, synced by syncd, one batch carried by file instead (export →
server import → import-receipts, as with a USB drive), a short report of
what the server holds and what the device knows is safe — then (issue 6)
the demo site's structure and month of work history.
"""

from __future__ import annotations

import os
import random
import subprocess
import sys
import tempfile
from collections.abc import Mapping
from pathlib import Path
from typing import Annotated

import typer

from genba.cli.common import fail, reported
from genba.cli.demo_console import show_console
from genba.cli.server_domain import show_demo_site
from genba.cli.words import h
from shared.device import DeviceIdentity, load_or_create_identity, load_or_create_key
from shared.ids import Idm
from shared.journal import EventDraft, JournalReader, JournalWriter, verify_journal
from shared.keys import SigningKey
from shared.messages import t
from shared.paths import DataDir
from shared.state import StateReader, StateWriter


def _record_taps(data: DataDir, identity: DeviceIdentity, key: SigningKey, n: int, rng: random.Random,
                 pool: list[Idm], inside: set[str], label: str) -> None:
    from genba.cli.journal import DEMO_SITE

    writer = JournalWriter.open(data.journal, identity, key)
    try:
        with typer.progressbar(range(n), label=label) as bar:
            for _ in bar:
                idm = rng.choice(pool)
                writer.append(EventDraft(kind="tap", reader="sim", site=identity.site or DEMO_SITE,
                                         idm=idm, direction="out" if idm in inside else "in"))
                inside.symmetric_difference_update({idm})
    finally:
        writer.close()


DEMO_HELP = h("一連の流れのデモを実行します: サーバー、登録した端末、同期したタッチとファイルで運んだタッチ、"
              "そして現場の1か月分の記録。",
              "Run the end-to-end demo: server, enrolled device, taps synced and carried by file, then the site's "
              "month.")
"""The help of ``genba demo`` (registered in :mod:`genba.cli`)."""


def demo(
    workdir: Annotated[Path | None, typer.Option(help=h("デモのデータを一時フォルダではなく、ここに保存します。",
                                                        "Keep the demo data here, not in a temp folder."))] = None,
    taps: Annotated[int, typer.Option(min=1, max=100_000, help=h("記録する模擬タッチの件数。",
                                                                 "Simulated taps to record."))] = 50,
    kiosk: Annotated[bool | None, typer.Option(
        "--kiosk/--no-kiosk", help=h("最後に模擬カードリーダーでキオスクを開きます（既定: 画面がある場合）。",
                                     "Open the kiosk with the simulated reader at the end "
                                     "(default: when a display is present)."))] = None,
    serve: Annotated[bool, typer.Option("--serve", help=h(
        "最後にサーバーと事務所（バックオフィス）用のコンソールを止めずに、Ctrl-C まで動かし続けます。",
        "Keep the server and its back-office console running at the end, until Ctrl-C."))] = False,
) -> None:
    """``genba demo`` (help: DEMO_HELP): the steps are in the module's docstring."""
    from genba.cli.demo_server import demo_server
    from genba.cli.journal import DEMO_SITE, simulated_idm
    from server.importer import import_files
    from syncd.client import SyncClient
    from syncd.engine import SyncEngine
    from syncd.enroll import enroll
    from syncd.offline import export_batches, import_receipts

    root = workdir or Path(tempfile.mkdtemp(prefix="genba-demo-"))
    data = DataDir.resolve(root).ensure()
    server_root = data.root / "server"
    server_root.mkdir(exist_ok=True)
    with reported(), demo_server(server_root) as server:
        step = 1
        typer.echo(t(f"[{step}] データフォルダ: {data.root}", f"[{step}] Data directory: {data.root}"))
        step += 1
        typer.echo(t(f"[{step}] 同期サーバーを起動しました: {server.url}（SQLite: {server_root / 'server.db'}）",
                     f"[{step}] Sync server started: {server.url} (SQLite: {server_root / 'server.db'})"))
        load_or_create_identity(data, site=DEMO_SITE)
        client = SyncClient(server.url)
        try:
            done = enroll(data, client, server_url=server.url, code=server.enrollment_code(DEMO_SITE))
        finally:
            client.close()
        identity, key = done.identity, load_or_create_key(data, done.identity)
        step += 1
        typer.echo(t(f"[{step}] 端末 {identity.device} を登録しました（現場 {identity.site}、鍵 "
                     f"{key.verifier.encode()[:40]}…、サーバー鍵を固定）",
                     f"[{step}] Device {identity.device} enrolled (site {identity.site}, key "
                     f"{key.verifier.encode()[:40]}…, server key pinned)"))
        rng = random.Random(7)
        pool = [simulated_idm(rng) for _ in range(12)]
        inside: set[str] = set()
        _record_taps(data, identity, key, taps, rng, pool, inside, t("タッチを記録中", "Recording taps"))
        step += 1
        report = verify_journal(data.journal)
        typer.echo(t(f"[{step}] 検証: {report.events} 件、ハッシュ連鎖と署名はすべて正常です。",
                     f"[{step}] Verified: {report.events} events, every hash link and signature is good."))

        state = StateWriter.open(data.state)
        try:
            client = SyncClient(server.url, device=identity.device, epoch=identity.epoch, key=key)
            engine = SyncEngine(data, identity, state, client, max_events=20)
            try:
                cycle = engine.run_once()
            finally:
                engine.close()
                client.close()
            if not cycle.ok:
                raise cycle.errors[0]
            step += 1
            typer.echo(t(f"[{step}] syncd: {cycle.acknowledged} 件を署名付きバッチ {cycle.batches} 個で送信し、"
                         f"サーバーの署名付き受領証を確認・保存しました。名簿と現場設定も取得。",
                         f"[{step}] syncd: sent {cycle.acknowledged} events in {cycle.batches} signed batches; "
                         "verified and stored the server's signed receipts; pulled roster and site config."))

            offline = max(1, taps // 5)
            _record_taps(data, identity, key, offline, rng, pool, inside,
                         t("ネットワークなしでタッチを記録中", "Recording taps with no network"))
            usb = data.root / "usb"
            with JournalReader(data.journal) as journal:
                files = export_batches(journal, state, identity.device, usb)
            outcomes = import_files(server.context, [f.path for f in files])
            receipts = [o.receipts_file for o in outcomes if o.receipts_file is not None]
            imported = 0
            with JournalReader(data.journal) as journal:
                for rfile in receipts:
                    got = import_receipts(rfile.read_bytes(), identity=identity, state=state, journal=journal)
                    imported += len(got.advanced)
            step += 1
            typer.echo(t(f"[{step}] USBで運搬: {offline} 件を {len(files)} 個のバッチファイルに書き出し → "
                         f"サーバーで取り込み（genba server import）→ 受領証 {imported} 件を端末に取り込み"
                         "（genba import-receipts）。",
                         f"[{step}] Carried by USB: {offline} events exported as {len(files)} batch files → "
                         f"ingested by the server (genba server import) → {imported} receipts imported on the "
                         "device (genba import-receipts)."))
        finally:
            state.close()

        held = server.device(identity.device)
        with JournalReader(data.journal) as journal, StateReader(data.state) as reader:
            status = reader.sync_status(journal)
            last, _ = journal.last(identity.epoch)
            acked = reader.acked_through(identity.epoch)
        step += 1
        typer.echo(t(f"[{step}] 結果: サーバーはこの端末の記録を {held.get('acked', 0)} 番まで保持。"
                     f"端末は {acked.seq if acked else 0} / {last} 件が受領証で安全と確認済み、未送信 "
                     f"{status.unsent} 件。",
                     f"[{step}] Result: the server holds this device's records through seq {held.get('acked', 0)}. "
                     f"The device knows {acked.seq if acked else 0} of {last} are safe (signed receipts); "
                     f"unsent: {status.unsent}."))
        # issue 6 — the site story continues here: structure and month of work history on the same server.
        step = show_demo_site(data.root, step + 1, context=server.context)
        show_console(server, server_root, serve=serve)  # issue 13: the console's address and a demo sign-in
    typer.echo(t(f"完了。記録を見る: genba --data-dir {data.root} journal tail / 同期の状態: "
                 f"genba --data-dir {data.root} syncd status",
                 f"Done. See the records: genba --data-dir {data.root} journal tail / sync status: "
                 f"genba --data-dir {data.root} syncd status"))
    if not serve and (kiosk if kiosk is not None else display_present(os.environ)):
        open_demo_kiosk(data.root / "kiosk-demo")
    else:
        typer.echo(t("画面のある端末では genba kiosk --demo でタッチ画面を試せます"
                     "（キー 1〜6 でカード、9 で未登録カード）。その間、タブレット画面は http://<この端末>:8780/pair "
                     "（管理者の暗証番号 0000 で接続）。",
                     "On a machine with a screen, try the touch screen: genba kiosk --demo "
                     "(keys 1-6 tap cards, 9 an unknown card); meanwhile its tablet view is at "
                     "http://<this machine>:8780/pair (pair with manager PIN 0000)."))


def display_present(env: Mapping[str, str]) -> bool:
    """Whether a graphical session is there to show the kiosk in (X11 or Wayland)."""
    return bool(env.get("DISPLAY") or env.get("WAYLAND_DISPLAY"))


def open_demo_kiosk(root: Path) -> None:
    """Run ``genba kiosk --demo`` on its own data directory until its window is closed.

    A child process, so the demo itself never loads Qt; the kiosk's demo site has its own roster, and its
    records can be watched with ``genba --data-dir ROOT journal tail``.
    """
    from kiosk.demo import DEMO_PIN

    typer.echo(t("キオスクを開きます（模擬リーダー）: キー 1〜6 でカードをタッチ、9 で未登録カード、"
                 f"管理者の暗証番号 {DEMO_PIN}。記録を見る: genba --data-dir {root} journal tail",
                 "Opening the kiosk (simulated reader): keys 1-6 tap cards, 9 an unknown card, "
                 f"manager PIN {DEMO_PIN}. "
                 f"See its records: genba --data-dir {root} journal tail"))
    typer.echo(t(f"タブレット画面: ブラウザで http://127.0.0.1:8780/pair を開き、管理 → 暗証番号 → タブレット の"
                 f"コードか、暗証番号 {DEMO_PIN} で接続します（docs/tablet.md）。",
                 f"Tablet view: open http://127.0.0.1:8780/pair in a browser and pair with the code under "
                 f"管理 → PIN → Tablet, or with PIN {DEMO_PIN} (docs/tablet.md)."))
    done = subprocess.run([sys.executable, "-m", "genba", "--data-dir", str(root), "kiosk", "--demo"], check=False)
    if done.returncode != 0:
        fail(t(f"キオスクが終了コード {done.returncode} で終わりました。",
               f"The kiosk exited with code {done.returncode}."))
