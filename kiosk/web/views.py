"""The pages of the tablet view. Each handler reads a :class:`~kiosk.web.siteday.Snapshot`, or validates a
form and asks the kiosk (through the Runner) to journal one manager action, then redirects (POST/redirect/GET).

Handlers validate every field before anything is journaled: a refused form
records nothing.
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import date, datetime, timedelta
from typing import TYPE_CHECKING, TypeVar

from kiosk.errors import ManagerActionRefused
from kiosk.web.errors import BadInput, TabletError
from kiosk.web.http import Response
from kiosk.web.rows import hm
from shared.errors import GenbaError
from shared.event import Direction
from shared.ids import check_ccus_id, parse_idm
from shared.messages import CATALOG

if TYPE_CHECKING:
    from kiosk.web.app import Ctx, TabletApp

PUBLIC = frozenset({"/pair"})
MAX_LABEL = 40
DONE = {
    "bind": ("カードを登録しました。", "The card is bound."),
    "manual": ("カード忘れを記録しました。", "The forgotten card is recorded."),
    "amend": ("方向を修正しました。", "The direction is corrected."),
    "paired": ("このタブレットを接続しました。", "This tablet is paired."),
}


def deadline_start(today: date) -> date:
    """The earliest work day still open for corrections: a day's deadline is the end of the next month."""
    first = today.replace(day=1)
    return (first - timedelta(days=1)).replace(day=1)


def routes(app: TabletApp) -> dict[tuple[str, str], Callable[[Ctx], Response]]:
    def need_actions() -> None:
        if app.actions is None:
            raise TabletError("this tablet view has no kiosk to record with")

    def done(ctx: Ctx) -> str:
        key = ctx.req.query.get("done", "")
        return ctx.t(*DONE[key]) if key in DONE else ""

    # -- pairing --------------------------------------------------------------------------------------
    def pair_page(ctx: Ctx) -> Response:
        code = ctx.req.query.get("code", "")
        paired = False
        if ctx.req.cookies.get("genba_tablet"):
            try:
                app.access.session_for(ctx.req.cookies["genba_tablet"])
                paired = True
            except TabletError:
                paired = False
        return app.render(ctx, "pair.html", code=code, paired=paired, error=None)

    def pair(ctx: Ctx) -> Response:
        form = ctx.req.form
        label = (form.get("label") or ctx.req.headers.get("user-agent", "tablet"))[:MAX_LABEL]
        try:
            if form.get("pin"):
                app.access.check_throttle()
                token, _session = app.access.pair_with_pin(app.pin_ok(form["pin"][:64]), label=label,
                                                           address=ctx.req.remote)
            elif form.get("code"):
                token, _session = app.access.pair_with_code(form["code"], label=label, address=ctx.req.remote)
            else:
                raise BadInput("type the code shown on the kiosk, or the manager PIN")
        except TabletError as exc:
            ja, en = CATALOG[exc.code]
            resp = app.render(ctx, "pair.html", status=exc.status, code=form.get("code", ""), paired=False,
                              error=ctx.t(ja, en), error_code=exc.code,
                              retry_in_s=getattr(exc, "retry_in_s", None))
            resp.headers.append(("X-Genba-Error", exc.code))
            return resp
        resp = Response.redirect("/rollcall?done=paired")
        app.session_cookie(resp, token)
        return resp

    def logout(ctx: Ctx) -> Response:
        if ctx.session is not None:
            app.access.revoke(ctx.session.id)
        resp = Response.redirect("/pair")
        resp.set_cookie("genba_tablet", "", max_age=0)
        return resp

    # -- views ------------------------------------------------------------------------------------------
    def home(ctx: Ctx) -> Response:
        return Response.redirect("/rollcall")

    def rollcall(ctx: Ctx) -> Response:
        snap = app.day.snapshot()
        inside = snap.inside()
        template = "rollcall_part.html" if ctx.req.query.get("part") == "list" else "rollcall.html"
        return app.render(ctx, template, snap=snap, companies=snap.by_company(inside), total=len(inside),
                          done=done(ctx))

    def today(ctx: Ctx) -> Response:
        snap = app.day.snapshot()
        people = sorted((p for p in snap.people if p.worker), key=lambda p: (p.company, p.name))
        return app.render(ctx, "today.html", snap=snap, companies=snap.by_company(people),
                          untouched=snap.by_company(snap.not_yet_tapped()),
                          missing_exit=snap.by_company(snap.missing_exit()),
                          unknown=snap.unknown(), done=done(ctx))

    def cards(ctx: Ctx) -> Response:
        snap = app.day.snapshot()
        roster = sorted((w for w in snap.roster if w.on_roster), key=lambda w: (w.furigana or w.name, w.worker))
        return app.render(ctx, "cards.html", snap=snap, unknown=snap.unknown(), roster=roster, done=done(ctx))

    def bind(ctx: Ctx) -> Response:
        need_actions()
        idm = _field(ctx, "idm", parse_idm)
        worker = _field(ctx, "worker", lambda v: check_ccus_id(v, "worker"))
        _on_roster(app, worker)
        if idm in app.day.roster()[worker].idms:
            raise ManagerActionRefused("this card is already bound to this worker on the roster")
        assert app.actions is not None
        actions = app.actions
        app.run(lambda: actions.bind(idm, worker))
        return Response.redirect("/cards?done=bind", htmx=ctx.req.htmx)

    def corrections(ctx: Ctx) -> Response:
        snap = app.day.snapshot(corrections=True)
        roster = sorted((w for w in snap.roster if w.on_roster), key=lambda w: (w.furigana or w.name, w.worker))
        recent = [p for p in snap.people if p.worker and p.last_direction]
        return app.render(ctx, "corrections.html", snap=snap, roster=roster, recent=recent,
                          earliest=deadline_start(snap.day).isoformat(), latest=snap.now.date().isoformat(),
                          now_hm=hm(snap.now), done=done(ctx))

    def manual(ctx: Ctx) -> Response:
        need_actions()
        worker = _field(ctx, "worker", lambda v: check_ccus_id(v, "worker"))
        direction = _direction(ctx)
        snap = app.day.snapshot()
        tz = snap.now.tzinfo
        try:
            day = date.fromisoformat(ctx.req.form.get("date", ""))
            hh, mm = (int(x) for x in ctx.req.form.get("time", "").split(":"))
            claimed = datetime(day.year, day.month, day.day, hh, mm, tzinfo=tz)
        except ValueError:
            raise BadInput("date must be YYYY-MM-DD and time HH:MM") from None
        if day < deadline_start(snap.day):
            raise BadInput(f"{day} is past its correction deadline (the end of the following month)")
        reason = " ".join(ctx.req.form.get("reason", "").split())
        if not reason:
            raise BadInput("a reason is required")
        if len(reason) > 200:
            raise BadInput("the reason is longer than 200 characters")
        _on_roster(app, worker)
        assert app.actions is not None
        actions = app.actions
        app.run(lambda: actions.manual(worker, direction, claimed, reason))
        return Response.redirect("/corrections?done=manual", htmx=ctx.req.htmx)

    def amend(ctx: Ctx) -> Response:
        need_actions()
        try:
            ref = int(ctx.req.form.get("ref", ""))
        except ValueError:
            raise BadInput("ref must be an event number") from None
        direction = _direction(ctx)
        assert app.actions is not None
        actions = app.actions
        app.run(lambda: actions.amend(ref, direction))
        return Response.redirect("/corrections?done=amend", htmx=ctx.req.htmx)

    def gates(ctx: Ctx) -> Response:
        snap = app.day.snapshot()
        actions = app.actions
        status = app.run(actions.status) if actions is not None else None
        return app.render(ctx, "gates.html", snap=snap, gate=status, sessions=app.access.sessions())

    def roster(ctx: Ctx) -> Response:
        snap = app.day.snapshot()
        q = ctx.req.query.get("q", "").strip()
        workers = sorted(snap.roster, key=lambda w: (w.employer_name, w.furigana or w.name))
        if q:
            workers = [w for w in workers if q in w.name or q in w.furigana or q in w.employer_name
                       or q in w.worker or q in w.trade]
        return app.render(ctx, "roster.html", snap=snap, workers=workers, q=q)

    return {
        ("GET", "/"): home,
        ("GET", "/pair"): pair_page,
        ("POST", "/pair"): pair,
        ("POST", "/logout"): logout,
        ("GET", "/rollcall"): rollcall,
        ("GET", "/today"): today,
        ("GET", "/cards"): cards,
        ("POST", "/cards/bind"): bind,
        ("GET", "/corrections"): corrections,
        ("POST", "/corrections/manual"): manual,
        ("POST", "/corrections/amend"): amend,
        ("GET", "/gates"): gates,
        ("GET", "/roster"): roster,
    }


_T = TypeVar("_T")


def _field(ctx: Ctx, name: str, check: Callable[[str], _T]) -> _T:
    value = ctx.req.form.get(name, "").strip()
    if not value:
        raise BadInput(f"{name} is required")
    try:
        return check(value)
    except GenbaError as exc:
        raise BadInput(f"{name}: {exc.message}") from None


def _direction(ctx: Ctx) -> Direction:
    value = ctx.req.form.get("direction", "")
    if value not in ("in", "out"):
        raise BadInput("direction must be in or out")
    return "in" if value == "in" else "out"


def _on_roster(app: TabletApp, worker: str) -> None:
    w = app.day.roster().get(worker)
    if w is None or not w.on_roster:
        raise BadInput(f"worker {worker} is not on this site's roster")
