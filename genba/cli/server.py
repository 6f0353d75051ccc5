"""``genba server …``: run the sync server and operate it (enrollment codes, devices, hand-carried batches).

Every command reads the same settings as the server (``GENBA_*`` environment,
``server.toml`` in the data directory; docs/server.md).
"""

from __future__ import annotations

import contextlib
import json
from pathlib import Path
from typing import Annotated, Any

import typer

from genba.cli.common import data_dir, fail, reported
from genba.cli.words import h
from shared.messages import t

app = typer.Typer(help=h("同期サーバーの起動と運用（登録コード、端末、手渡しのバッチ）。",
                         "Run and operate the sync server (enrollment codes, devices, batches carried by hand)."),
                  no_args_is_help=True)


def _settings(ctx: typer.Context, **overrides: Any) -> Any:
    from server.settings import load_settings

    db = (ctx.obj or {}).get("database_url")
    if db:
        overrides["database_url"] = db
    return load_settings(data_dir(ctx).root, **overrides)


@app.callback()
def server_root(
    ctx: typer.Context,
    database_url: Annotated[
        str | None,
        typer.Option("--database-url", help=h(
            "データベースのURL（既定: データディレクトリの server.db）。GENBA_DATABASE_URL と同じです。",
            "Database URL (default: server.db in the data directory). Same as GENBA_DATABASE_URL.")),
    ] = None,
) -> None:
    ctx.obj = {**(ctx.obj or {}), "database_url": database_url}


@app.command("run", help=h("同期サーバーを起動します（初回の起動時にデータベースとサーバー署名鍵を作成します）。",
                            "Run the sync server (creates the database and the server key on first start)."))
def run(
    ctx: typer.Context,
    host: Annotated[str | None, typer.Option(help=h("待ち受けるアドレス（既定 127.0.0.1）。",
                                                    "Address to listen on (default 127.0.0.1)."))] = None,
    port: Annotated[int | None, typer.Option(help=h("待ち受けるポート（既定 8470）。",
                                                    "Port to listen on (default 8470)."))] = None,
    dev: Annotated[bool, typer.Option("--dev", help=h(
        "開発モード: 管理者トークンがなくても、弱くても起動します。",
        "Development mode: allow a missing or weak admin token."))] = False,
    workers: Annotated[int, typer.Option("--workers", min=1, max=64, help=h(
        "サーバーのプロセス数（PostgreSQL のみ。SQLite は1プロセス）。照合は各プロセスが分担します。",
        "Server processes (PostgreSQL only; SQLite is one process). Each runs its share of reconciliation."))] = 1,
) -> None:
    import os

    import uvicorn

    from server.app import create_app
    from server.errors import SettingsError
    from server.settings import ensure_admin_token
    from server.store.engine import make_engine, migrate

    with reported():
        overrides: dict[str, Any] = {"dev": dev} if dev else {}
        if host:
            overrides["host"] = host
        if port:
            overrides["port"] = port
        settings = _settings(ctx, **overrides)
        if workers > 1 and not settings.effective_database_url.startswith("postgresql"):
            raise SettingsError("--workers above 1 needs PostgreSQL (GENBA_DATABASE_URL); SQLite is one process")
        if not dev:
            _, created = ensure_admin_token(settings)
            if created:
                typer.echo(t(f"管理者トークンを作成しました: {settings.token_file}",
                             f"Created the admin token: {settings.token_file}"), err=True)
        app_ = create_app(settings) if workers == 1 else None
        settings.check_admin_token()  # refuse a weak token before saying anything is starting
        typer.echo(t(f"同期サーバーを起動します: http://{settings.host}:{settings.port}",
                     f"Starting the sync server on http://{settings.host}:{settings.port}"), err=True)
        if app_ is not None:
            uvicorn.run(app_, host=settings.host, port=settings.port, log_level=settings.log_level.lower(),
                        server_header=False)
            return
        # several processes: migrate once here, then each process builds its app from the same settings
        engine = make_engine(settings.effective_database_url)
        try:
            migrate(engine)
        finally:
            engine.dispose()
        os.environ.update({"GENBA_DATA_DIR": str(settings.data.root),
                           "GENBA_DATABASE_URL": settings.effective_database_url, "GENBA_DEV": str(dev).lower()})
        uvicorn.run("server.app:create_app", factory=True, workers=workers, host=settings.host, port=settings.port,
                    log_level=settings.log_level.lower(), server_header=False)


@app.command("worker", help=h(
    "照合ワーカーを単独のプロセスとして実行します（サーバー側の設定は reconcile_in_process = false）。",
    "Run the reconciling worker as its own process (with reconcile_in_process = false on the servers)."))
def worker_cmd(
    ctx: typer.Context,
    once: Annotated[bool, typer.Option("--once", help=h("待っているものをすべて照合してから終了します。",
                                                        "Reconcile everything queued, then exit."))] = False,
) -> None:
    import signal

    from server.context import open_context

    with reported():
        c = open_context(_settings(ctx), check_token=False)
        try:
            if once:
                c.worker.drain(timeout_s=3600)
                lag = c.worker.lag()
                typer.echo(t(f"未反映のバッチ: {lag.pending}", f"Batches not yet in history: {lag.pending}"))
                return
            signal.signal(signal.SIGTERM, lambda *_: c.worker.stop(0))
            typer.echo(t("照合ワーカーを起動します（Ctrl+C で停止）", "Reconciling worker running (Ctrl+C stops it)"),
                       err=True)
            with contextlib.suppress(KeyboardInterrupt):
                c.worker.run_forever()
        finally:
            c.close()


@app.command("enroll-code", help=h(
    "現場の登録コード（1回限り）を作成します。コードは最後の行に出力します。",
    "Create a one-time enrollment code for a site; the code is printed on the LAST line."))
def enroll_code(
    ctx: typer.Context,
    site: Annotated[str, typer.Option("--site", help=h("端末が所属する現場のID（14桁）。",
                                                       "Site id (14 digits) the device will belong to."))],
    ttl_minutes: Annotated[int | None, typer.Option(min=1, max=10080, help=h(
        "コードの有効時間（分）（既定: 設定 enrollment_ttl_minutes の値、60）。",
        "Minutes until the code expires (default: the enrollment_ttl_minutes setting, 60)."))] = None,
) -> None:
    from datetime import timedelta

    from server.context import open_context
    from server.enrollment import create_code, site_zones
    from shared.timefmt import parse_rfc3339

    with reported():
        settings = _settings(ctx)
        c = open_context(settings, check_token=False)
        try:
            minutes = ttl_minutes or settings.enrollment_ttl_minutes
            code, expires = create_code(c.engine, site=site, ttl=timedelta(minutes=minutes), now=c.now())
            zone = site_zones(c.engine)[site]
            until = f"{parse_rfc3339(expires).astimezone(zone):%Y-%m-%d %H:%M}（{zone}）"
            typer.echo(t(f"現場 {site} の登録コード（1回限り、{until} まで有効）:",
                         f"Enrollment code for site {site} (one use, valid until {until}):"))
            typer.echo(code)
        finally:
            c.close()


def _fmt(value: Any, unit: str = "") -> str:
    if value is None:
        return "-"
    if isinstance(value, float):
        return f"{value:.1f}{unit}"
    return f"{value}{unit}"


@app.command("devices", help=h("登録済みの端末: 受領済みの記録番号、遅れ、最終通信、時計のずれ。",
                                "Enrolled devices: acknowledged-through seq, lag, last seen, clock offset."))
def devices(
    ctx: typer.Context,
    as_json: Annotated[bool, typer.Option("--json", help=h("表ではなく JSON で出力します。",
                                                           "Print JSON instead of a table."))] = False,
) -> None:
    from server.context import open_context
    from server.enrollment import site_zones
    from shared.timefmt import local_when

    with reported():
        c = open_context(_settings(ctx), check_token=False)
        try:
            rows = c.devices()
            zones = site_zones(c.engine)
        finally:
            c.close()
    if as_json:
        typer.echo(json.dumps(rows, ensure_ascii=False, indent=2))
        return
    if not rows:
        typer.echo(t("登録済みの端末はありません。", "No enrolled devices."))
        return
    typer.echo(t("端末 世代 現場 受領済 遅延 最終通信（現場の時刻） 時計のずれ 状態",
                 "device epoch site acked lag last-seen(site's-time) offset state"))
    for r in rows:
        state = t("失効", "revoked") if r["revoked"] else (r["last_error"] or "ok")
        seen = local_when(str(r["last_seen"] or ""), zones[str(r["site"])]) or "-"
        typer.echo(f"{r['device']} e{r['epoch']} {r['site']} {r['acked']} {_fmt(r['lag_s'], 's')} "
                   f"{seen} {_fmt(r['clock_offset_s'], 's')} {state}")


@app.command("move-device", help=h(
    "端末を別の現場に移します（監査ログに残ります）。--from-seq 以降の記録は新しい現場を指していなければなりません。",
    "Assign a device to another site (audited); its events must name the new site from --from-seq on."))
def move_device_cmd(
    ctx: typer.Context,
    device: Annotated[str, typer.Argument(help=h("端末ID（'genba server devices' に表示されるもの）。",
                                                 "The device id (as in 'genba server devices')."))],
    site: Annotated[str, typer.Option("--site", help=h("移動先の現場ID（14桁）。", "The new site id (14 digits)."))],
    from_seq: Annotated[int | None, typer.Option("--from-seq", min=1, help=h(
        "新しい現場での最初の記録番号（既定: 端末の受領済みの記録番号 + 1）。",
        "First event seq of the new site (default: the device's acknowledged seq + 1)."))] = None,
    by: Annotated[str | None, typer.Option("--by", help=h(
        "移動を行う人（監査ログ用。既定: ログイン名）。",
        "Who moves it, for the audit row (default: the login name)."))] = None,
    reason: Annotated[str | None, typer.Option("--reason", help=h("理由（監査ログ用）。",
                                                                  "Why, for the audit row."))] = None,
) -> None:
    import getpass

    from server.context import open_context
    from server.site_policy import move_device

    with reported():
        c = open_context(_settings(ctx), check_token=False)
        try:
            who = by or getpass.getuser()
            moved = move_device(c.engine, device=device, site=site, by=f"cli:{who}", reason=reason, now=c.now(),
                                from_seq=from_seq)
        finally:
            c.close()
    typer.echo(t(f"{moved.device} (世代 {moved.epoch}) を現場 {moved.previous_site} から {moved.site} へ移しました"
                 f"（記録番号 {moved.from_seq} から）。",
                 f"Moved {moved.device} (epoch {moved.epoch}) from site {moved.previous_site} to {moved.site} "
                 f"from seq {moved.from_seq}."))


@app.command("import", help=h(
    "手渡しで運んだバッチファイルをアップロードと同じ検査で取り込み、受け付けたファイルごとに <file>.receipts を"
    "書き出します。",
    "Ingest batch files with the same checks as uploads; write <file>.receipts for each accepted one."))
def import_cmd(
    ctx: typer.Context,
    files: Annotated[list[Path], typer.Argument(help=h("手渡しで運んだバッチファイル（genba export）。",
                                                       "Batch files carried by hand (genba export)."),
                                                exists=True, dir_okay=False)],
    out: Annotated[Path | None, typer.Option("--out", help=h(
        "受領証ファイルの書き出し先（既定: 各ファイルと同じ場所）。",
        "Write receipts files here (default: beside each file)."), file_okay=False)] = None,
) -> None:
    from server.context import open_context
    from server.importer import import_files
    from server.logs import configure

    with reported():
        settings = _settings(ctx)
        configure("ERROR", json_lines=settings.log_json)  # fork alarms still reach stderr
        c = open_context(settings, check_token=False)
        try:
            results = import_files(c, files, out=out)
            c.worker.drain(timeout_s=3600)  # history includes what was imported when the command returns
        finally:
            c.close()
    failed = 0
    for r in results:
        if r.ok:
            what = t("新規取り込み", "stored") if r.outcome == "append" else t("取り込み済み（変更なし）",
                                                                            "already held (nothing changed)")
            typer.echo(t(f"{r.path.name}: {what}、受領済み {r.acked} → {r.receipts_file}",
                         f"{r.path.name}: {what}, acked {r.acked} → {r.receipts_file}"))
        else:
            failed += 1
            typer.echo(f"{r.path.name}: {t('拒否', 'refused')} ({r.outcome}: {r.message})", err=True)
    if failed:
        fail(t(f"{failed} 件のファイルを取り込めませんでした。", f"{failed} file(s) could not be imported."))
