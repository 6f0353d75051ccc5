"""A device writes only into its own site (ARCHITECTURE decision 11; issue 9 item 1).

Every event names a ``site``. The device signs it, but a signature proves only
*who* wrote the event, not that the writer may write *there*: a kiosk enrolled to
site A could sign events naming site B. So ingest calls :func:`check_sites` once
per batch, inside its write transaction, with the batch's new events: any event
whose site is not the device's assigned site (nor empty: :data:`shared.event.NO_SITE`, a tap recorded before
the kiosk knew its site, which :func:`as_assigned` attributes like any other) refuses the whole batch
(:class:`server.errors.WrongSite`, 403 ``wrong_site``), and nothing is stored.

**"At the time of the event" is judged by chain position, not by clock.** A
device's clock can be wrong by days; its chain order cannot be forged. An
assignment therefore takes effect from an event ``seq`` of the device's current
epoch: enrollment assigns the enrolled site from seq 1; a move (:func:`move_device`)
assigns a new site from ``from_seq`` — by default the first event the server does
not hold yet (acknowledged seq + 1). A move can never reach back over events the
server already holds (409 ``move_in_past``), so a stored event's site never
changes. A later move supersedes every earlier assignment from its ``from_seq``
on (:func:`effective`). Each assignment is one row of ``device_sites`` that is
never updated: who, when, from which site, to which, why.

Reconciliation reads the site of an event through :func:`as_assigned`, never
from the event alone (events stored before this check existed may name another
site; they count for the site the device was assigned to).

This module must never trust an event's own ``site`` field, and never decide by
an event's wall clock. Its SQL is in :mod:`server.store.device_sites` (the
``device_sites`` table in :mod:`server.security.schema`).
"""

from __future__ import annotations

import dataclasses
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import UTC, datetime

import sqlalchemy as sa

from server.errors import AlreadyAssigned, MoveInPast, Revoked, UnknownDevice, WrongSite
from server.store import device_sites as store
from server.store.engine import write_transaction
from shared.event import NO_SITE, Event
from shared.ids import check_ccus_id, check_device_id
from shared.timefmt import format_rfc3339


@dataclass(frozen=True, slots=True)
class Assignment:
    """One row of the assignment history."""

    from_seq: int
    site: str
    previous_site: str | None = None
    assigned_at: str = ""
    assigned_by: str = ""
    reason: str | None = None


def effective(history: Iterable[Assignment]) -> list[Assignment]:
    """The assignments in force, ascending by ``from_seq``, from the history in the order it was written.

    Each assignment replaces every earlier one from its own ``from_seq`` on (a
    second move before the first took effect cancels the first's remainder).
    """
    out: list[Assignment] = []
    for a in history:
        out = [x for x in out if x.from_seq < a.from_seq]
        out.append(a)
    return out


def site_at(assignments: Sequence[Assignment], seq: int) -> str | None:
    """The site assigned at ``seq`` (``assignments`` as returned by :func:`effective`), None if none."""
    found = None
    for a in assignments:
        if a.from_seq > seq:
            break
        found = a.site
    return found


def load(conn: sa.Connection, device: str, epoch: int) -> list[Assignment]:
    """The effective assignments of (device, epoch); the enrolled site from seq 1 if no row exists."""
    history = [Assignment(int(r.from_seq), r.site, r.previous_site, r.assigned_at, r.assigned_by, r.reason)
               for r in store.assignment_rows(conn, device, epoch)]
    if not history:
        site = store.enrolled_site(conn, device, epoch)
        history = [Assignment(1, site)] if site is not None else []
    return effective(history)


def check_sites(conn: sa.Connection, device: str, epoch: int, events: Sequence[Event]) -> None:
    """Refuse (raise :class:`WrongSite`) if any event names a site other than the device's at its seq.

    Called by ingest once per batch with the events it is about to store, inside
    its write transaction, so a refusal stores nothing.
    """
    if not events:
        return
    assignments = load(conn, device, epoch)
    for ev in events:
        assigned = site_at(assignments, ev.seq)
        # NO_SITE claims no site (recorded before the kiosk knew one): it can only count for the assigned site.
        if ev.site != assigned and ev.site != NO_SITE:
            raise WrongSite(
                f"event {ev.seq} of device {device} epoch {epoch} names site {ev.site}, but the device is assigned "
                f"to site {assigned} at that seq; the whole batch was refused. If the device was moved, an "
                f"administrator moves it with 'genba server move-device' (from the first seq of the new site)",
                seq=ev.seq, event_site=ev.site, assigned_site=assigned)


def as_assigned(conn: sa.Connection, events: Sequence[Event]) -> list[Event]:
    """The events of one device log with each ``site`` replaced by the site assigned at its seq.

    What reconciliation reads: an event counts for the site its device was
    assigned to, whatever the event says (only events stored before ingest
    checked sites can differ).
    """
    if not events:
        return []
    cache: dict[tuple[str, int], list[Assignment]] = {}
    out = []
    for ev in events:
        key = (ev.device, ev.epoch)
        if key not in cache:
            cache[key] = load(conn, *key)
        site = site_at(cache[key], ev.seq)
        out.append(ev if site is None or site == ev.site else dataclasses.replace(ev, site=site))
    return out


def record_enrollment(conn: sa.Connection, *, device: str, epoch: int, site: str, at: str) -> None:
    """The first assignment of a newly enrolled (device, epoch): its enrolled site from seq 1."""
    store.add_assignment(conn, device=device, epoch=epoch, from_seq=1, site=site, previous_site=None, at=at,
                         by="enrollment", reason=None)


@dataclass(frozen=True, slots=True)
class Moved:
    device: str
    epoch: int
    from_seq: int
    site: str
    previous_site: str
    assigned_at: str
    assigned_by: str


def move_device(engine: sa.Engine, *, device: str, site: str, by: str, reason: str | None, now: datetime,
                from_seq: int | None = None) -> Moved:
    """Assign the device's current epoch to ``site`` from ``from_seq`` (default: acknowledged seq + 1), audited.

    Serialized with ingest on the chain row, so no batch is accepted between
    reading the acknowledged seq and writing the assignment.
    """
    check_device_id(device)
    check_ccus_id(site, "site")
    stamp = format_rfc3339(now.astimezone(UTC))
    with write_transaction(engine) as conn:
        row = store.latest_epoch(conn, device)
        if row is None:
            raise UnknownDevice(f"no enrolled device {device}")
        if row.revoked_at is not None:
            raise Revoked(f"device {device} epoch {row.epoch} was revoked at {row.revoked_at}; enroll it at the "
                          f"new site instead")
        epoch = int(row.epoch)
        acked = store.lock_acked(conn, device, epoch)
        start = acked + 1 if from_seq is None else from_seq
        if start <= acked:
            raise MoveInPast(f"the server already holds events 1..{acked} of device {device} epoch {epoch}; "
                             f"a move can start at seq {acked + 1} or later", acked=acked)
        previous = site_at(load(conn, device, epoch), start)
        if previous == site:
            raise AlreadyAssigned(f"device {device} is already assigned to site {site} at seq {start}")
        store.add_assignment(conn, device=device, epoch=epoch, from_seq=start, site=site, previous_site=previous,
                             at=stamp, by=by, reason=reason)
        # What the device pulls (site config, roster) follows the newest assignment at once, so that it
        # starts journaling the new site; events journaled before it learns are still checked by seq.
        store.set_current_site(conn, device, epoch, site)
    return Moved(device, epoch, start, site, previous or "", stamp, by)


def history(conn: sa.Connection, device: str) -> list[dict[str, object]]:
    """Every assignment row of the device, all epochs, in the order written (the audit trail)."""
    rows = store.history_rows(conn, device)
    return [{"epoch": r.epoch, "from_seq": int(r.from_seq), "site": r.site, "previous_site": r.previous_site,
             "assigned_at": r.assigned_at, "assigned_by": r.assigned_by, "reason": r.reason} for r in rows]
