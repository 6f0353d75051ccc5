"""``genba syncd [--once]``, ``genba syncd status``, ``genba export``, ``genba import-receipts``,
``genba device enroll``: the edge side of syncing (docs/syncd.md)."""

from __future__ import annotations

import json
import logging
import signal
import time
from collections.abc import Iterator
from contextlib import contextmanager
from datetime import datetime, tzinfo
from pathlib import Path
from typing import Annotated, Any

import typer

from genba.cli.common import data_dir, fail, reported
from genba.cli.words import h
from shared.device import load_identity, load_or_create_identity, load_or_create_key
from shared.errors import GenbaError
from shared.journal import JournalReader
from shared.messages import current_lang, t
from shared.paths import DataDir
from shared.state import StateBusy, StateReader, StateWriter, SyncStatus
from shared.state.siblings import sibling_alarms
from shared.timefmt import local_when, parse_rfc3339
from syncd.audit import last_check
from syncd.client import SyncClient
from syncd.daemon import TRIGGER_FILE, Daemon, Intervals
from syncd.engine import DEFAULT_MAX_EVENTS, SyncEngine, error_words
from syncd.enroll import enroll
from syncd.errors import NotEnrolled
from syncd.offline import export_batches, import_receipts
from syncd.siblings import SiblingConfig, load_config, sibling_parts

app = typer.Typer(help=h("端末の同期デーモン: 記録ファイルを署名付きバッチでサーバーへ送り、作業員名簿と現場設定を"
                          "受け取り、同期の状態を記録します。",
                          "The edge sync daemon: upload the journal in signed batches, pull roster and site config, "
                          "keep the sync state."),
                  invoke_without_command=True)
device_app = typer.Typer(help=h("この端末のサーバーへの登録。", "This device's enrollment with a server."))

CaBundle = Annotated[Path | None, typer.Option("--ca-bundle", exists=True, dir_okay=False,
                                               help=h("サーバーの証明書の検証に使う CA 証明書の PEM ファイル"
                                                      "（現場独自の CA）。登録時に記憶します。",
                                                      "PEM file of CA certificates to trust for the server "
                                                      "(a site's own CA). Remembered at enrollment."))]
MaxEvents = Annotated[int, typer.Option("--max-events", min=1, max=5000,
                                        help=h("1バッチの最大件数。", "Largest batch, in events."))]

EXPORT_HELP = h("受領済みになっていない記録の範囲をすべて、署名付きバッチファイルとして書き出します"
                "（`genba server import` 用）。",
                "Write every unacknowledged range as signed batch files (for `genba server import`).")
"""The help of ``genba export`` (registered in :mod:`genba.cli`)."""
IMPORT_RECEIPTS_HELP = h("FILE の受領証を固定済みのサーバー鍵で検証し、サーバーが保持している範囲を記録します。",
                         "Verify the receipts in FILE with the pinned server key and record what the server holds.")
"""The help of ``genba import-receipts`` (registered in :mod:`genba.cli`)."""


def _ca(state: StateReader, given: Path | None) -> Path | None:
    if given is not None:
        return given
    held = state.meta("ca_bundle")
    return Path(held) if held else None


@contextmanager
def _engine(data: DataDir, *, ca_bundle: Path | None, max_events: int) -> Iterator[SyncEngine]:
    identity = load_identity(data)
    if identity is None or not identity.server_url or not identity.server_key:
        raise NotEnrolled("this device is not enrolled; run 'genba device enroll --server URL --code CODE'")
    key = load_or_create_key(data, identity)
    state = StateWriter.open(data.state)
    try:
        client = SyncClient(identity.server_url, device=identity.device, epoch=identity.epoch, key=key,
                            ca_bundle=_ca(state, ca_bundle))
        engine = SyncEngine(data, identity, state, client, max_events=max_events)
        try:
            yield engine
        finally:
            engine.close()
            client.close()
    finally:
        state.close()


@app.callback()
def syncd(
    ctx: typer.Context,
    once: Annotated[bool, typer.Option("--once", help=h(
        "送信と取得を1回だけ行って終了します（失敗したら0以外で終了）。",
        "Run one upload-and-pull cycle and exit (non-zero if it failed)."))] = False,
    ca_bundle: CaBundle = None,
    max_events: MaxEvents = DEFAULT_MAX_EVENTS,
    verbose: Annotated[bool, typer.Option("--verbose", "-v", help=h("すべての処理を標準エラー出力に記録します。",
                                                                    "Log every job to standard error."))] = False,
    wait_s: Annotated[float, typer.Option(
        "--wait", min=1, max=3600, help=h("デーモンの動作中に --once を使うとき: その同期を待つ秒数。",
                                          "With --once while the daemon runs: seconds to wait for its cycle."))] = 60,
    sibling: Annotated[list[str] | None, typer.Option(
        "--sibling", help=h("この現場の隣のゲート、HOST:PORT（複数指定可。siblings.toml でも指定できます）。",
                            "A sibling gate of this site, HOST:PORT (repeatable; also siblings.toml)."))] = None,
    sibling_port: Annotated[int | None, typer.Option(
        "--sibling-port", min=0, max=65535, help=h("このゲートの記録ファイルを隣のゲートに提供するポート"
                                                   "（既定8781。0なら提供しません）。",
                                                   "Serve this gate's journal to siblings on this port "
                                                   "(default 8781; 0: do not serve)."))] = None,
    no_mdns: Annotated[bool, typer.Option("--no-mdns", help=h("隣のゲートの告知と検索に mDNS を使いません。",
                                                              "Do not announce or look for siblings with mDNS."))
                       ] = False,
) -> None:
    """The daemon, or one cycle; ``--once`` while the daemon runs asks it for a cycle through ``sync-now``.

    The daemon holds state.db, so ``--once`` then touches the ``sync-now`` file the daemon watches and reports
    that cycle's result: the kiosk's "sync now" button and scripts work whether or not the daemon is running.
    """
    if ctx.invoked_subcommand is not None:
        return
    logging.basicConfig(level=logging.INFO if verbose else logging.WARNING,
                        format="%(asctime)s %(name)s %(levelname)s %(message)s")
    data = data_dir(ctx).ensure()
    if once and _daemon_running(data):
        _nudge_running_daemon(data, wait_s)
        return
    with reported():
        config = load_config(data, extra_peers=sibling or (), port=sibling_port, mdns=False if no_mdns else None)
    identity = load_identity(data)
    if not once and (identity is None or not identity.server_url or not identity.server_key):
        # A gate of a site that has never been online: no server to sync with, but its siblings are there.
        with reported():
            _run_siblings_only(data, config)
        return
    with reported(), _engine(data, ca_bundle=ca_bundle, max_events=max_events) as engine:
        if once:
            report = engine.run_once()
            if not report.ok:
                ja, en = error_words(report.errors[0])
                fail(t(f"同期に失敗しました: {ja}", f"Sync failed: {en}"))
            typer.echo(t(f"同期しました: {report.acknowledged} 件が受領確認済みになりました"
                         f"（{report.batches} 回の送信）。",
                         f"Synced: {report.acknowledged} events newly acknowledged ({report.batches} batches)."))
            return
        key = load_or_create_key(data, engine.identity)
        with sibling_parts(data, engine.identity, key, engine.state, config) as exchange:
            daemon = Daemon(engine, siblings=exchange,
                            intervals=Intervals(siblings_s=config.interval_s))
            signal.signal(signal.SIGTERM, lambda *_: daemon.stop())
            typer.echo(t("syncd を開始しました（Ctrl+C で停止）。", "syncd started (Ctrl+C to stop)."), err=True)
            try:
                daemon.run()
            except KeyboardInterrupt:
                daemon.stop()


def _run_siblings_only(data: DataDir, config: SiblingConfig) -> None:
    identity, key = load_or_create_identity(data)
    state = StateWriter.open(data.state)
    try:
        with sibling_parts(data, identity, key, state, config) as exchange:
            daemon = Daemon(None, siblings=exchange, data=data, intervals=Intervals(siblings_s=config.interval_s))
            signal.signal(signal.SIGTERM, lambda *_: daemon.stop())
            typer.echo(t("syncd を開始しました: サーバー未登録のため、隣のゲートとの交換だけを行います"
                         "（Ctrl+C で停止）。",
                         "syncd started: not enrolled with a server, so it exchanges with sibling gates only "
                         "(Ctrl+C to stop)."), err=True)
            try:
                daemon.run()
            except KeyboardInterrupt:
                daemon.stop()
    finally:
        state.close()


def _daemon_running(data: DataDir) -> bool:
    """Whether another process (the daemon) holds state.db's writer lock right now."""
    try:
        StateWriter.open(data.state).close()
    except StateBusy:
        return True
    except GenbaError:
        return False  # damaged or unreadable: the normal path reports it properly
    return False


def _nudge_running_daemon(data: DataDir, wait_s: float) -> None:
    """Touch the trigger the daemon watches, then wait for the attempt it records and report it."""
    def attempt() -> str | None:
        with StateReader(data.state) as reader:
            return reader.sync_status(None).last_attempt

    before = attempt()
    (data.root / TRIGGER_FILE).touch()
    typer.echo(t("syncd が動作中です。すぐに同期するよう依頼しました…", "syncd is running: asked it to sync now…"),
               err=True)
    deadline = time.monotonic() + wait_s
    while time.monotonic() < deadline:
        time.sleep(0.2)
        if attempt() != before:
            break
    else:
        fail(t(f"syncd が {wait_s:.0f} 秒以内に応答しませんでした。genba syncd status で状態を確認してください。",
               f"syncd did not answer within {wait_s:.0f} s. Check: genba syncd status"))
    with StateReader(data.state) as reader:
        status = reader.sync_status(None)
        zone = reader.site_config().zone
    if status.last_error is not None and status.last_error.at == status.last_attempt:
        fail(t(f"同期に失敗しました: {status.last_error.ja}", f"Sync failed: {status.last_error.en}"))
    when = local_when(status.last_success, zone)
    typer.echo(t(f"同期しました（syncd による、{when}）。", f"Synced (by the running syncd, {when})."))


def _age(seconds: float | None) -> str:
    if seconds is None:
        return "-"
    s = int(seconds)
    d, h, m = s // 86400, s % 86400 // 3600, s % 3600 // 60
    if current_lang() == "en":
        return f"{d} d {h} h ago" if d else f"{h} h {m} min ago" if h else f"{m} min {s % 60} s ago"
    return f"{d}日{h}時間前" if d else f"{h}時間{m}分前" if h else f"{m}分{s % 60}秒前"


FUTURE_TOLERANCE_S = 60.0
"""A time this far after "now" is not a rounding matter: one of the two clocks is wrong."""


def _since(stamp: str | None, now: datetime, zone: tzinfo) -> str:
    """A stored time as the site's local ``MM/DD HH:MM`` with its age (the raw text stays in ``--json``)."""
    if stamp is None:
        return t("まだありません", "never")
    try:
        seconds = (now - parse_rfc3339(stamp)).total_seconds()
    except GenbaError:
        return stamp
    shown = local_when(stamp, zone)
    if seconds < -FUTURE_TOLERANCE_S:
        # Never a negative age: the time was recorded with a clock ahead of this one, or this one is behind.
        current = local_when(now, zone)
        return t(f"{shown}（現在時刻 {current} より未来: 端末の時計が狂っています。時計を合わせてください）",
                 f"{shown} (later than now, {current}: this device's clock is wrong; set it right)")
    return f"{shown} ({_age(max(0.0, seconds))})"


def future_s(stamp: str | None, now: datetime) -> float | None:
    """How far ``stamp`` lies ahead of ``now`` (seconds) when it is more than FUTURE_TOLERANCE_S ahead, else None."""
    if stamp is None:
        return None
    try:
        ahead = (parse_rfc3339(stamp) - now).total_seconds()
    except GenbaError:
        return None
    return ahead if ahead > FUTURE_TOLERANCE_S else None


def status_json(status: SyncStatus, now: datetime) -> dict[str, Any]:
    """``genba syncd status --json``: the status, with a time later than now shown as such, never as age 0.

    ``oldest_unsent_age_s`` is null when the oldest unsent record's time is ahead of this clock; then
    ``oldest_unsent_in_future_s`` says by how much and ``clock_suspect`` is true (the record was written with a
    clock ahead of this one, or this one is behind). The same for the last successful sync.
    """
    out = status.to_dict()
    oldest, success = future_s(status.oldest_unsent_at, now), future_s(status.last_success, now)
    if oldest is not None:
        out["oldest_unsent_age_s"] = None
    out["oldest_unsent_in_future_s"] = oldest
    out["last_success_in_future_s"] = success
    out["clock_suspect"] = oldest is not None or success is not None
    return out


def log_check_lines(check: dict[str, Any] | None, zone: tzinfo) -> list[str]:
    """The daemon's last check of the server's audit log (syncd.audit.scheduled_check), in words; its times in
    the site's zone."""
    if check is None:
        return [t("監査ログの確認: まだ行っていません", "Audit log check: not run yet")]
    alarm = check if check.get("status") == "alarm" else check.get("alarm")
    at = local_when(str(check.get("at") or ""), zone) or "-"
    lines = []
    if isinstance(alarm, dict):
        alarm_at = local_when(str(alarm.get("at") or ""), zone) or "-"
        lines.append(t(f"警告: サーバーの監査ログが書き換えられたか、この端末の記録と食い違っています"
                       f"（{alarm.get('code')}、{alarm_at}）。サーバーの記録は信頼できません。"
                       "管理者に連絡し、log-checkpoint.note を証拠として保管してください。",
                       f"ALARM: the server's audit log was rewritten or disagrees with this device's journal "
                       f"({alarm.get('code')}, {alarm_at}): {alarm.get('message')}. Do not trust the "
                       "server's record; contact the administrator and keep log-checkpoint.note as evidence."))
    if check.get("status") == "ok":
        lines.append(t(f"監査ログの確認: 正常（{at}、{check.get('size')} 件）",
                       f"Audit log check: OK ({at}, {check.get('size')} entries)"))
    elif check.get("status") == "not_checked":
        lines.append(t(f"監査ログの確認: できませんでした（{at}、{check.get('code')}）。次回再試行します",
                       f"Audit log check: not possible ({at}, {check.get('code')}); tried again later"))
    return lines


def status_lines(status: SyncStatus, now: datetime, zone: tzinfo) -> list[str]:
    """The status in words, every time in the site's zone (``zone``, from state.db's site configuration)."""
    lines = [t(f"未送信: {status.unsent} 件", f"Unsent: {status.unsent} events")]
    if status.unsent:
        oldest = _since(status.oldest_unsent_at, now, zone)
        lines.append(t(f"最も古い未送信: {oldest}", f"Oldest unsent: {oldest}"))
    success = _since(status.last_success, now, zone)
    lines.append(t(f"最後に成功した同期: {success}", f"Last successful sync: {success}"))
    if status.last_error is not None:
        words = status.last_error.ja if current_lang() == "ja" else status.last_error.en
        when = local_when(status.last_error.at, zone)
        lines.append(t(f"最後のエラー（{when}）: {words}", f"Last error ({when}): {words}"))
    if status.fork is not None:
        lines.append(t(f"警告: 世代 {status.fork.epoch} の記録 {status.fork.seq} 番でサーバーと分岐。送信停止中。"
                       "管理者に連絡してください。",
                       f"ALARM: the server holds another history at epoch {status.fork.epoch} seq "
                       f"{status.fork.seq}; uploads stopped. Contact the administrator."))
    if status.clock_offset_ms is not None:
        lines.append(t(f"時計のずれ（サーバー基準）: {status.clock_offset_ms / 1000:+.1f} 秒",
                       f"Clock offset (server minus device): {status.clock_offset_ms / 1000:+.1f} s"))
    source = " ".join(p for p in (status.roster_source, status.roster_version) if p) or "-"
    lines.append(t(f"名簿: {status.roster_workers} 名（{source}）",
                   f"Roster: {status.roster_workers} workers ({source})"))
    return lines


@app.command("status", help=h("未送信の件数、最も古い未送信記録の経過時間、最後に成功した同期、最後のエラー（文章）を"
                               "表示します。",
                               "Unsent count, oldest unsent age, last successful sync, last error in words."))
def status(
    ctx: typer.Context,
    as_json: Annotated[bool, typer.Option("--json", help=h("JSON オブジェクト1つで出力します（日英両方の文言）。",
                                                           "Print one JSON object (both languages)."))] = False,
) -> None:
    data = data_dir(ctx)
    now = datetime.now().astimezone()
    with reported(), StateReader(data.state) as state:
        journal = JournalReader(data.journal, check=True) if data.journal.exists() else None
        try:
            st = state.sync_status(journal, now=now)
        finally:
            if journal is not None:
                journal.close()
        alarms = sibling_alarms(state)
        zone = state.site_config().zone
    check = last_check(data.root)
    if as_json:
        typer.echo(json.dumps({**status_json(st, now), "log_check": check,
                               "sibling_alarms": [{"at": a.at, "code": a.code, "device": a.device, "epoch": a.epoch,
                                                   "seq": a.seq, "peer": a.peer} for a in alarms]},
                              ensure_ascii=False))
        return
    sibling_lines = [t(f"警告: 隣のゲート {a.device}（{a.peer}）の記録 {a.seq} 番を拒否しました（{a.code}、"
                       f"{(when := local_when(a.at, zone))}）。"
                       "詳しくは genba siblings list。",
                       f"ALARM: refused sibling {a.device} ({a.peer}) at seq {a.seq} ({a.code}, {when}); see "
                       "'genba siblings list'.") for a in alarms]
    for line in [*status_lines(st, now, zone), *log_check_lines(check, zone), *sibling_lines]:
        typer.echo(line)


def export(
    ctx: typer.Context,
    to: Annotated[Path, typer.Option("--to", file_okay=False, help=h(
        "バッチファイルの書き出し先フォルダ（USB メモリなど）。",
        "Folder to write batch files to (e.g. a USB drive)."))],
    max_events: MaxEvents = DEFAULT_MAX_EVENTS,
) -> None:
    """``genba export`` (help: EXPORT_HELP): the offline path of docs/syncd.md, batches carried by hand."""
    data = data_dir(ctx)
    with reported():
        identity = load_identity(data)
        if identity is None or not data.journal.exists():
            fail(t("記録ファイルがありません。書き出すものはありません。", "No journal: nothing to export."))
        with JournalReader(data.journal, check=True) as journal, StateReader(data.state) as state:
            files = export_batches(journal, state, identity.device, to, max_events=max_events)
    events = sum(f.last - f.first + 1 for f in files)
    for f in files:
        typer.echo(f"{f.path}" + ("" if f.written else t("（同一ファイルあり）", " (identical file already there)")))
    typer.echo(t(f"{len(files)} 個のファイル（{events} 件）を {to} に書き出しました。",
                 f"Wrote {len(files)} files ({events} events) to {to}."))


def import_receipts_cmd(
    ctx: typer.Context,
    file: Annotated[Path, typer.Argument(exists=True, dir_okay=False,
                                         help=h("`genba server import` が書き出した受領証ファイル。",
                                                "Receipts file written by `genba server import`."))],
) -> None:
    """``genba import-receipts`` (help: IMPORT_RECEIPTS_HELP): the receipts of an offline export."""
    data = data_dir(ctx)
    with reported():
        identity = load_identity(data)
        if identity is None or not data.journal.exists():
            fail(t("この端末には記録ファイルがありません。", "This device has no journal."))
        raw = file.read_bytes()
        state = StateWriter.open(data.state)
        try:
            with JournalReader(data.journal, check=True) as journal:
                result = import_receipts(raw, identity=identity, state=state, journal=journal)
        finally:
            state.close()
    for r in result.advanced:
        typer.echo(t(f"受領確認: 世代 {r.epoch} の {r.acked} 番まで（サーバー時刻 {r.time}）",
                     f"Acknowledged: epoch {r.epoch} through seq {r.acked} (server time {r.time})"))
    typer.echo(t(f"受領証 {len(result.advanced)} 件を記録、{len(result.unchanged)} 件は既知でした。",
                 f"Recorded {len(result.advanced)} receipts; {len(result.unchanged)} were already known."))


@device_app.command("enroll", help=h("この端末を登録します: 登録コードで端末の公開鍵を登録し、サーバーの鍵を固定し、"
                                      "現場を保存します。",
                                      "Enroll this device: register its public key with the code, pin the "
                                      "server's key, store the site."))
def device_enroll(
    ctx: typer.Context,
    server: Annotated[str, typer.Option("--server", help=h("サーバーの URL（例: https://genba.example.jp）。",
                                                           "Server URL, e.g. https://genba.example.jp"))],
    code: Annotated[str, typer.Option("--code", help=h("事務所（バックオフィス）が発行した1回限りの登録コード。",
                                                       "One-time enrollment code from the back office."))],
    ca_bundle: CaBundle = None,
) -> None:
    data = data_dir(ctx).ensure()
    with reported():
        state = StateWriter.open(data.state)  # refuses while syncd runs with the old identity
        try:
            client = SyncClient(server, ca_bundle=ca_bundle)
            try:
                done = enroll(data, client, server_url=server, code=code)
            finally:
                client.close()
            if ca_bundle is not None:
                state.set_meta("ca_bundle", str(ca_bundle.absolute()))
            if done.new_epoch:
                state.clear_fork()
        finally:
            state.close()
    ident = done.identity
    if server.startswith("http://") and not server.startswith(("http://127.", "http://localhost")):
        typer.echo(t("注意: 暗号化されていない http:// で登録しました。", "Note: enrolled over unencrypted http://."),
                   err=True)
    typer.echo(t(f"登録しました: 端末 {ident.device}、世代 {ident.epoch}、現場 {ident.site}、"
                 f"サーバー鍵 {done.server_key.name}+{done.server_key.hash:08x}",
                 f"Enrolled: device {ident.device}, epoch {ident.epoch}, site {ident.site}, "
                 f"server key {done.server_key.name}+{done.server_key.hash:08x}"))
    if done.new_epoch:
        typer.echo(t("新しい世代の鍵を作りました。キオスクを再起動してください。",
                     "A new epoch key was made: restart the kiosk so new taps use it."))
