"""``genba server seed-demo`` / ``rebuild`` / ``history``: the server's domain from the command line.

Registered onto the ``genba server`` group (genba/cli/server.py) with one
line in genba/cli/__init__.py. Settings are the server's (docs/server.md);
commands are documented in docs/domain.md.
"""

from __future__ import annotations

import json
from datetime import UTC, date, datetime, timedelta
from pathlib import Path
from typing import Annotated, Any, Literal

import typer

from genba.cli.common import data_dir, fail, reported
from genba.cli.words import h
from shared.messages import t


def _open(ctx: typer.Context) -> Any:
    from genba.cli.server import _settings
    from server.context import open_context

    return open_context(_settings(ctx), check_token=False)


def previous_month(today: date) -> str:
    last = today.replace(day=1) - timedelta(days=1)
    return f"{last.year:04d}-{last.month:02d}"


def last_month(now: datetime | None = None) -> str:
    """The demo's default month: the one before the current WORK day (the day boundary at 04:00 JST).

    Not the calendar date: between midnight and 04:00 JST on the 1st the work day is still the last day of
    the previous month, and seeding "last month" by the calendar would fill today's work day with demo taps.
    """
    from shared.siterules import work_day

    return previous_month(work_day(now or datetime.now(UTC)))


def seed_demo(
    ctx: typer.Context,
    month: Annotated[str | None, typer.Option("--month", help=h(
        "タッチの月、YYYY-MM（既定: 現在の就業日の前月）。",
        "Month of taps, YYYY-MM (default: the month before the current work day)."))]
    = None,
) -> None:
    from genba.cli.server_domain_demo import seed_demo as build
    from server.domain.report import check_month
    from server.store import domain_records as rec
    from server.store.domain_reconcile import all_rows, rebuild
    from server.store.engine import write_transaction

    with reported():
        c = _open(ctx)
        try:
            chosen = check_month(month or last_month())
            with c.engine.connect() as conn:
                if rec.find_site(conn, "90000000000001") is not None:
                    fail(t("デモ現場はこのデータベースに作成済みです。別の --data-dir を使ってください。",
                           "The demo site already exists in this database. Use another --data-dir."))
            kiosks_dir = data_dir(ctx).root / "demo-kiosks"
            seeded = build(c, kiosks_dir, chosen)
            with c.engine.connect() as conn:
                incremental = all_rows(conn)
            with write_transaction(c.engine) as conn:
                check = rebuild(conn)
            with c.engine.connect() as conn:
                same = all_rows(conn) == incremental
        finally:
            c.close()
    typer.echo(t(f"デモ現場を作成しました: 技能者 {seeded.workers} 人、端末 2 台、記録 {seeded.events} 件 → "
                 f"就業履歴 {seeded.rows} 行（再計算: {check['rows']} 行、{'同一' if same else '不一致!'}）",
                 f"Demo site created: {seeded.workers} workers, 2 kiosks, {seeded.events} events → "
                 f"{seeded.rows} work-history rows (rebuild: {check['rows']} rows, "
                 f"{'identical' if same else 'DIFFERENT!'})"))
    if not same:
        fail(t("再計算の結果が増分計算と一致しません。", "Rebuild differs from the incremental result."))
    typer.echo(seeded.site)
    typer.echo(seeded.month)


def rebuild_cmd(ctx: typer.Context) -> None:
    from server.store.domain_reconcile import rebuild
    from server.store.engine import write_transaction

    with reported():
        c = _open(ctx)
        try:
            with write_transaction(c.engine) as conn:
                counts = rebuild(conn)
        finally:
            c.close()
    ev, sites, rows = counts["events"], counts["sites"], counts["rows"]
    typer.echo(t(f"再計算しました: 生記録 {ev} 件、現場 {sites} か所、就業履歴 {rows} 行",
                 f"Rebuilt: {ev} raw events, {sites} sites, {rows} work-history rows"))


def history_cmd(
    ctx: typer.Context,
    month: Annotated[str, typer.Option("--month", help=h("月、YYYY-MM。", "Month, YYYY-MM."))],
    site: Annotated[str | None, typer.Option("--site", help=h("現場ID（14桁）。", "Site id (14 digits)."))] = None,
    worker: Annotated[str | None, typer.Option("--worker", help=h(
        "技能者ID: その技能者の全現場の行。", "Worker id: their rows on every site."))] = None,
    company: Annotated[str | None, typer.Option("--company", help=h(
        "雇用する事業者のID: その事業者の技能者の行。", "Employer id: its workers' rows."))] = None,
    fmt: Annotated[Literal["table", "csv", "json", "calendar"], typer.Option("--format", help=h(
        "table（既定）、csv、json、calendar（月別カレンダー）。",
        "table (default), csv, json, or calendar (the monthly calendar)."))] = "table",
) -> None:
    from server.domain.report import calendar_lines, check_month, to_csv
    from server.store import domain_records as rec
    from server.store.domain_reconcile import history

    if sum(x is not None for x in (site, worker, company)) != 1:
        fail(t("--site、--worker、--company のどれか1つを指定してください。",
               "Give exactly one of --site, --worker, --company."))
    with reported():
        check_month(month)
        c = _open(ctx)
        try:
            with c.engine.connect() as conn:
                if site is not None:
                    rec.get_site(conn, site)
                if worker is not None:
                    rec.get_worker(conn, worker)
                if company is not None:
                    rec.get_company(conn, company)
                rows = history(conn, site=site, worker=worker, employer=company, month=month)
                names = {w.worker: w.name for w in rec.list_workers(conn)}
        finally:
            c.close()
    if fmt == "csv":
        typer.echo(to_csv(rows), nl=False)
    elif fmt == "json":
        typer.echo(json.dumps(rows, ensure_ascii=False, indent=1))
    elif fmt == "calendar":
        typer.echo("\n".join(calendar_lines(rows, month, names)))
    else:
        typer.echo("\n".join(table_lines(rows, names)))


def load_cmd(
    ctx: typer.Context,
    file: Annotated[Path, typer.Argument(help=h(
        "JSON ファイル（companies、workers、sites、structure、cards、roster の各セクション）。",
        "JSON file: companies, workers, sites, structure, cards, roster."), exists=True, dir_okay=False)],
) -> None:
    from genba.cli.server_domain_load import load

    with reported():
        c = _open(ctx)
        try:
            counts = load(c, file)
        finally:
            c.close()
    typer.echo(t("読み込みました: ", "Loaded: ") + ", ".join(f"{k} {v}" for k, v in counts.items()))


users_app = typer.Typer(help=h("サーバーAPIのユーザーと、その API トークン。",
                               "Users and API tokens of the server API."), no_args_is_help=True)


@users_app.command("add", help=h(
    "ユーザーを作成します。コンソールのサインイン名と1回限りのパスワード設定リンクを出力し、最後の行に API トークン"
    "（この1回だけ表示）を出力します。",
    "Create a user: prints its console sign-in name and one-time set-password link, then its API token "
    "(shown once) on the last line."))
def users_add(
    ctx: typer.Context,
    name: Annotated[str, typer.Option("--name", help=h("ユーザーが誰か（人またはシステム）。",
                                                       "Who the user is (a person or a system)."))],
    role: Annotated[Literal["admin", "prime", "company", "worker"], typer.Option("--role", help=h(
        "役割。", "The role."))],
    company: Annotated[str | None, typer.Option("--company", help=h(
        "事業者ID（prime、company の場合）。", "Company id (prime, company)."))] = None,
    worker: Annotated[str | None, typer.Option("--worker", help=h(
        "技能者ID（worker の場合）。", "Worker id (worker)."))] = None,
    site: Annotated[str | None, typer.Option("--site", help=h(
        "prime のユーザーを1つの現場に限定します（現場管理者）。", "Limit a prime user to one site (site manager)."))]
    = None,
    login: Annotated[str | None, typer.Option("--login", help=h(
        "コンソールのサインイン名（既定: 名前がサインイン名として使えればその名前、使えなければ user<id>）。",
        "Console sign-in name (default: the name if it is a usable sign-in name, else user<id>)."))] = None,
    url: Annotated[str | None, typer.Option("--url", help=h(
        "パスワード設定リンクに使うコンソールのアドレス（既定: サーバー設定の http://HOST:PORT）。",
        "The console's address for the set-password link (default: http://HOST:PORT from the server settings)."))]
    = None,
) -> None:
    from datetime import UTC, datetime

    from genba.cli.server import _settings
    from server.domain.disclosure import Principal
    from server.store import domain_users as users_store
    from server.store.engine import write_transaction
    from server.web.accounts import new_console_user

    with reported():
        principal = Principal(role=role, user="new", company=company, worker=worker, site=site)
        settings = _settings(ctx)
        c = _open(ctx)
        try:
            with write_transaction(c.engine) as conn:
                now = datetime.now(UTC)
                uid, token = users_store.add_user(conn, principal, name=name, at=now)
                signin, link = new_console_user(conn, uid, name, login, now)
        finally:
            c.close()
    base = (url or f"http://{settings.host}:{settings.port}").rstrip("/")
    typer.echo(t(f"ユーザー {uid}（{role}）を作成しました。コンソールのサインイン名: {signin}",
                 f"User {uid} ({role}) created. Console sign-in name: {signin}"))
    typer.echo(t(f"パスワード設定リンク（1回限り、72時間有効）: {base}{link}",
                 f"Set-password link (one use, valid 72 hours): {base}{link}"))
    typer.echo(t("APIトークン（この1回だけ表示）:", "API token (shown this once):"))
    typer.echo(token)


@users_app.command("list", help=h("ユーザーを一覧表示します（トークンは表示しません）。",
                                   "List users (never their tokens)."))
def users_list(ctx: typer.Context) -> None:
    from server.store import domain_users as users_store

    with reported():
        c = _open(ctx)
        try:
            with c.engine.connect() as conn:
                users = users_store.list_users(conn)
        finally:
            c.close()
    for u in users:
        state = t("失効", "revoked") if u["revoked_at"] else "ok"
        typer.echo(f"{u['id']} {u['name']} {u['role']} {u['company'] or '-'} {u['worker'] or '-'} "
                   f"{u['site'] or '-'} {state}")


@users_app.command("revoke", help=h("ユーザーのトークンを失効させます。", "Revoke a user's token."))
def users_revoke(ctx: typer.Context,
                 user_id: Annotated[int, typer.Argument(help=h("ユーザーID。", "User id."), min=1)]) -> None:
    from datetime import UTC, datetime

    from server.store import domain_users as users_store
    from server.store.engine import write_transaction

    with reported():
        c = _open(ctx)
        try:
            with write_transaction(c.engine) as conn:
                users_store.revoke_user(conn, user_id, datetime.now(UTC))
        finally:
            c.close()
    typer.echo(t(f"ユーザー {user_id} のトークンを失効させました。", f"Revoked the token of user {user_id}."))


def table_lines(rows: list[dict[str, Any]], names: dict[str, str]) -> list[str]:
    head = t("日付       技能者          氏名        職種      立場   入場  退場  分   元 フラグ",
             "day        worker          name        trade     pos.   in    out   min src flags")
    out = [head]
    for r in rows:
        who = r["worker"] or f"card:{r['idm']}"
        name = names.get(r["worker"] or "", "")[:8]
        first = (r["first_entry"] or "")[11:16] or "--:--"
        last = (r["last_exit"] or "")[11:16] or "--:--"
        mins = "" if r["minutes_on_site"] is None else str(r["minutes_on_site"])
        out.append(f"{r['work_day']} {who:<15} {name:<8} {(r['trade_name'] or '-')[:6]:<6} "
                   f"{(r['position'] or '-')[:3]:<3} {first} {last} {mins:>4} {r['source'][:4]:<4} "
                   f"{' '.join(r['flags'])}")
    out.append(t(f"{len(rows)} 行", f"{len(rows)} rows"))
    return out


def register(server_app: typer.Typer) -> None:
    """Add the domain's commands to the ``genba server`` group."""
    server_app.command("seed-demo", help=h(
        "デモ現場（元請、1次・2次の下請、CCUS未登録の事業者、技能者60人、キオスク2台）と、通常の経路で取り込んだ"
        "1か月分のタッチを作成します。最後の2行に現場IDと月を出力します。",
        "Create the demo site (prime, two tiers, an unregistered company, 60 workers, two kiosks) and a month of "
        "taps ingested through the normal path; prints the site id and the month on the last two lines."))(seed_demo)
    server_app.command("rebuild", help=h(
        "生の記録から派生するもの（就業履歴の行）をすべて再計算します。件数を出力します。",
        "Recompute everything derived (work-history rows) from the raw events; prints the counts."))(rebuild_cmd)
    server_app.command("history", help=h(
        "1か月分の就業履歴の行を、現場・技能者・事業者のいずれかで出力します"
        "（事務所（バックオフィス）用: すべての行）。",
        "Print work-history rows for one month by site, worker or company (back office: every row)."))(history_cmd)
    server_app.command("load", help=h(
        "登録情報、施工体制の手順、カード、作業員名簿を JSON ファイルから読み込みます（すべて読み込むか、"
        "何も読み込まないか）。",
        "Load registry records, structure steps, cards and roster from a JSON file (all or nothing)."))(load_cmd)
    server_app.add_typer(users_app, name="users")


def show_demo_site(root: Any, step: int, *, context: Any = None, month: str | None = None) -> int:
    """The demo's final step: the demo site's structure and its month of reconciled work history.

    Uses ``context`` (a running demo's :class:`server.context.ServerContext`) when given, else a server
    database under ``root/server``; seeds the demo site through the normal ingest path if it is not
    there yet. Returns the next step number.
    """
    from collections import Counter
    from pathlib import Path

    from genba.cli.server_domain_demo import seed_demo as build
    from genba.cli.server_domain_seed import DEMO_SITE_ID
    from server.context import open_context
    from server.domain.report import BENIGN_FLAGS, calendar_lines
    from server.domain.structure import tree_lines
    from server.settings import load_settings
    from server.store import domain_records as rec
    from server.store.domain_reconcile import history

    base = Path(root)
    ctx = context or open_context(load_settings(base / "server", dev=True), check_token=False)
    try:
        with ctx.engine.connect() as conn:
            exists = rec.find_site(conn, DEMO_SITE_ID) is not None
        chosen = month or last_month()
        if not exists:
            typer.echo(t(f"[{step}] デモ現場（元請・1次・2次・CCUS未登録、技能者60人、端末2台）の1か月分のタッチを"
                         "署名付きバッチで取り込み中…",
                         f"[{step}] Ingesting a month of signed taps of the demo site (prime, tier 1 and 2, an "
                         "unregistered company, 60 workers, 2 kiosks)…"))
            chosen = build(ctx, base / "demo-kiosks", chosen).month
            step += 1
        with ctx.engine.connect() as conn:
            site = rec.get_site(conn, DEMO_SITE_ID)
            structure = rec.load_structure(conn, DEMO_SITE_ID)
            rows = history(conn, site=DEMO_SITE_ID, month=chosen)
            names = {w.worker: w.name for w in rec.list_workers(conn)}
    finally:
        if context is None:
            ctx.close()
    typer.echo(t(f"[{step}] 施工体制（{site.name}、現場ID {site.site}）:",
                 f"[{step}] Site structure ({site.name}, site {site.site}):"))
    for line in tree_lines(structure):
        typer.echo("    " + line)
    step += 1
    typer.echo(t(f"[{step}] {chosen} の就業履歴（月別カレンダー、●有効 ○要確認 ·記録なし）:",
                 f"[{step}] Work history for {chosen} (monthly calendar; ● valid, ○ needs a look, · none):"))
    cal = calendar_lines(rows, chosen, names)
    for line in cal[:13]:
        typer.echo("    " + line)
    if len(cal) > 13:
        typer.echo(t(f"    … ほか {len(cal) - 13} 行", f"    … {len(cal) - 13} more lines"))
    flags = Counter(f for r in rows for f in r["flags"])
    valid = sum(1 for r in rows if r["valid_for_assessment"] and not set(r["flags"]) - BENIGN_FLAGS)
    typer.echo(t(f"    {len(rows)} 行（うち能力評価に有効で問題なし {valid} 行）。フラグ: ",
                 f"    {len(rows)} rows ({valid} valid for assessment with no problem). Flags: ")
               + ", ".join(f"{k} {v}" for k, v in sorted(flags.items())))
    typer.echo(t(f"    全行: genba --data-dir {base / 'server'} server history --site {site.site} --month {chosen}",
                 f"    All rows: genba --data-dir {base / 'server'} server history --site {site.site} "
                 f"--month {chosen}"))
    return step + 1
