"""Site structure (施工体制): the tree of companies from the prime contractor down.

Rules (seed 003):

- the prime contractor (元請, tier 0) is on the site from its registration;
- an upper company invites (招待) a company for the tier below; the link is
  *pending* (未承認) until the invited company itself approves (承認), then
  *registered* (登録). Approving twice, or by any other company, is refused;
- a company not registered in CCUS may be placed by name only ("CCUS未登録"):
  it is registered at once (it cannot log in to approve) and later *replaced*
  (置換) by the registered company, keeping its place and its whole branch —
  but not while a pending company sits below it;
- a company appears once per site, and never as its own ancestor (no cycles);
- each company carries its work name and description (工事名称・工事内容).

Every operation is a pure function ``(structure, request) -> (structure, change)``;
the :class:`StructureChange` records are the dated history kept for the life of
the site, and :func:`replay` rebuilds the tree from them. Nothing here does I/O.
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator
from dataclasses import dataclass, replace
from datetime import date, datetime
from typing import Literal

from server.domain.errors import (
    AlreadyApproved,
    AlreadyOnSite,
    Cycle,
    Forbidden,
    Invalid,
    NotFound,
    NotPlaceholder,
    PendingBelowPlaceholder,
    WrongApprover,
)
from server.domain.registry import checked_id
from shared.siterules import DEFAULT_TIMEZONE, site_timezone

Status = Literal["pending", "registered"]
Action = Literal["prime", "invite", "place", "approve", "replace", "work"]
PLACEHOLDER_LABEL = "CCUS未登録"


@dataclass(frozen=True, slots=True)
class Member:
    """One company's place in the tree. ``member`` is stable: replacement keeps it, so the branch stays."""

    member: int
    parent: int | None
    tier: int
    company: str | None
    """事業者ID; None while a placeholder (CCUS未登録)."""
    name: str
    status: Status
    invited_at: datetime
    approved_at: datetime | None = None
    work_name: str = ""
    work_description: str = ""

    @property
    def placeholder(self) -> bool:
        return self.company is None


@dataclass(frozen=True, slots=True)
class StructureChange:
    """One dated step of the site's structure history (what, to whom, by which company)."""

    site: str
    at: datetime
    action: Action
    member: int
    by: str
    parent: int | None = None
    company: str | None = None
    name: str = ""
    work_name: str = ""
    work_description: str = ""


@dataclass(frozen=True, slots=True)
class Structure:
    site: str
    members: tuple[Member, ...]

    def get(self, member: int) -> Member:
        for m in self.members:
            if m.member == member:
                return m
        raise NotFound(f"member {member} is not in the structure of site {self.site}", member=member)

    def find_company(self, company: str) -> Member | None:
        return next((m for m in self.members if m.company == company), None)

    @property
    def prime(self) -> Member:
        return self.members[0]

    def ancestors(self, member: int) -> Iterator[Member]:
        """The member's upper companies, nearest first."""
        node = self.get(member)
        while node.parent is not None:
            node = self.get(node.parent)
            yield node

    def children(self, member: int) -> list[Member]:
        return [m for m in self.members if m.parent == member]

    def descendants(self, member: int) -> list[Member]:
        out: list[Member] = []
        stack = [member]
        while stack:
            for child in self.children(stack.pop()):
                out.append(child)
                stack.append(child.member)
        return out

    def registered_companies(self, on: date | None = None, tz: str = DEFAULT_TIMEZONE) -> set[str]:
        """Companies whose link is registered (approved), optionally as of the end of day ``on`` where the site is
        (``tz``: an approval at 01:30 JST is on that day, not on UTC's day before)."""
        zone = site_timezone(tz)
        return {
            m.company for m in self.members
            if m.company is not None and m.status == "registered"
            and (on is None or m.approved_at is None or m.approved_at.astimezone(zone).date() <= on)
        }

    def branch_companies(self, company: str) -> set[str]:
        """The company itself and every company below it (what an upper contractor may see)."""
        top = self.find_company(company)
        if top is None:
            return set()
        return {company} | {m.company for m in self.descendants(top.member) if m.company is not None}

    def _replace(self, member: Member) -> Structure:
        return replace(self, members=tuple(member if m.member == member.member else m for m in self.members))


def _aware(at: datetime) -> datetime:
    if at.tzinfo is None:
        raise Invalid("timestamps must carry an offset")
    return at


def new_structure(site: str, prime: str, prime_name: str, at: datetime) -> tuple[Structure, StructureChange]:
    """A site's structure starts with its prime contractor, registered."""
    checked_id(site, "site")
    checked_id(prime, "prime")
    m = Member(member=1, parent=None, tier=0, company=prime, name=prime_name, status="registered",
               invited_at=_aware(at), approved_at=at)
    return Structure(site, (m,)), StructureChange(site, at, "prime", 1, by=prime, company=prime, name=prime_name)


def _may_act_for(structure: Structure, member: Member, by: str) -> bool:
    """The member's own company, or any registered company above it (upper contractors manage their branch)."""
    if member.company == by:
        return True
    return any(a.company == by and a.status == "registered" for a in structure.ancestors(member.member))


def _next_id(structure: Structure) -> int:
    return max(m.member for m in structure.members) + 1


def invite(structure: Structure, *, parent: int, by: str, company: str, name: str,
           at: datetime) -> tuple[Structure, StructureChange]:
    """The upper company ``by`` invites ``company`` below member ``parent``: a pending (未承認) link."""
    checked_id(company, "company")
    upper = structure.get(parent)
    if upper.status != "registered":
        raise Invalid("the upper company has not approved its own invitation yet",
                      message_ja="上位の事業者の承認がまだ済んでいないため、招待できません。", member=parent)
    if not _may_act_for(structure, upper, by):
        raise Forbidden(f"company {by} may not invite below member {parent}",
                        message_ja="この位置に招待できるのは、その事業者または上位の事業者だけです。")
    if upper.company == company or any(a.company == company for a in structure.ancestors(parent)):
        raise Cycle(f"company {company} is already above member {parent}: the tree would loop", company=company)
    if structure.find_company(company) is not None:
        raise AlreadyOnSite(f"company {company} is already in the structure of site {structure.site}", company=company)
    m = Member(member=_next_id(structure), parent=parent, tier=upper.tier + 1, company=company, name=name,
               status="pending", invited_at=_aware(at))
    change = StructureChange(structure.site, at, "invite", m.member, by=by, parent=parent, company=company, name=name)
    return replace(structure, members=(*structure.members, m)), change


def place_unregistered(structure: Structure, *, parent: int, by: str, name: str,
                       at: datetime) -> tuple[Structure, StructureChange]:
    """Place a company not registered in CCUS by name only (CCUS未登録); registered at once."""
    upper = structure.get(parent)
    if not name.strip():
        raise Invalid("a company placed by name needs its name", message_ja="事業者名を入力してください。")
    if upper.status != "registered":
        raise Invalid("the upper company has not approved its own invitation yet",
                      message_ja="上位の事業者の承認がまだ済んでいないため、登録できません。", member=parent)
    if not _may_act_for(structure, upper, by):
        raise Forbidden(f"company {by} may not add below member {parent}",
                        message_ja="この位置に登録できるのは、その事業者または上位の事業者だけです。")
    m = Member(member=_next_id(structure), parent=parent, tier=upper.tier + 1, company=None, name=name.strip(),
               status="registered", invited_at=_aware(at), approved_at=at)
    change = StructureChange(structure.site, at, "place", m.member, by=by, parent=parent, name=m.name)
    return replace(structure, members=(*structure.members, m)), change


def approve(structure: Structure, *, member: int, by: str, at: datetime) -> tuple[Structure, StructureChange]:
    """The invited company itself approves (承認): 未承認 → 登録."""
    m = structure.get(member)
    if m.status == "registered":
        raise AlreadyApproved(f"member {member} ({m.name}) is already registered", member=member)
    if m.company != by:
        raise WrongApprover(f"only company {m.company} may approve this invitation, not {by}", member=member)
    new = replace(m, status="registered", approved_at=_aware(at))
    return structure._replace(new), StructureChange(structure.site, at, "approve", member, by=by, company=by)


def replace_placeholder(structure: Structure, *, member: int, by: str, company: str, name: str,
                        at: datetime) -> tuple[Structure, StructureChange]:
    """置換: a placeholder becomes the registered company, keeping its place and its branch."""
    checked_id(company, "company")
    m = structure.get(member)
    if not m.placeholder:
        raise NotPlaceholder(f"member {member} is company {m.company}, not a name-only placeholder", member=member)
    if not any(a.company == by and a.status == "registered" for a in structure.ancestors(member)):
        raise Forbidden(f"company {by} is not above the placeholder {member}",
                        message_ja="置換できるのはCCUS未登録事業者の上位の事業者だけです。")
    if any(d.status == "pending" for d in structure.descendants(member)):
        raise PendingBelowPlaceholder(f"a company below placeholder {member} has not approved yet", member=member)
    if structure.find_company(company) is not None:
        raise AlreadyOnSite(f"company {company} is already in the structure of site {structure.site}", company=company)
    new = replace(m, company=company, name=name)
    change = StructureChange(structure.site, at, "replace", member, by=by, company=company, name=name)
    return structure._replace(new), change


def set_work(structure: Structure, *, member: int, by: str, work_name: str, work_description: str,
             at: datetime) -> tuple[Structure, StructureChange]:
    """工事名称・工事内容 of one company, edited by that company or one above it."""
    m = structure.get(member)
    if not _may_act_for(structure, m, by):
        raise Forbidden(f"company {by} may not edit member {member}",
                        message_ja="工事内容を編集できるのは、その事業者または上位の事業者だけです。")
    if len(work_name) > 200 or len(work_description) > 2000:
        raise Invalid("work name ≤ 200 and description ≤ 2000 characters")
    new = replace(m, work_name=work_name, work_description=work_description)
    change = StructureChange(structure.site, at, "work", member, by=by, work_name=work_name,
                             work_description=work_description)
    return structure._replace(new), change


def replay(changes: Iterable[StructureChange]) -> Structure:
    """Rebuild a structure from its history (in order). ``replay(history)`` equals the live structure."""
    it = iter(changes)
    first = next(it, None)
    if first is None or first.action != "prime" or first.company is None:
        raise Invalid("a structure history starts with its prime contractor")
    s, _ = new_structure(first.site, first.company, first.name, first.at)
    for c in it:
        if c.action == "invite":
            assert c.parent is not None and c.company is not None
            s, _ = invite(s, parent=c.parent, by=c.by, company=c.company, name=c.name, at=c.at)
        elif c.action == "place":
            assert c.parent is not None
            s, _ = place_unregistered(s, parent=c.parent, by=c.by, name=c.name, at=c.at)
        elif c.action == "approve":
            s, _ = approve(s, member=c.member, by=c.by, at=c.at)
        elif c.action == "replace":
            assert c.company is not None
            s, _ = replace_placeholder(s, member=c.member, by=c.by, company=c.company, name=c.name, at=c.at)
        elif c.action == "work":
            s, _ = set_work(s, member=c.member, by=c.by, work_name=c.work_name,
                            work_description=c.work_description, at=c.at)
    return s


def as_of(changes: Iterable[StructureChange], moment: datetime) -> Structure:
    """The structure as it stood at ``moment`` (the dated history answers "who was on the site then?")."""
    return replay(c for c in changes if c.at <= moment)


def tree_lines(structure: Structure) -> list[str]:
    """The structure chart (施工体系図) as indented text lines, depth first, in invitation order."""
    status_ja = {"pending": "未承認", "registered": "登録"}
    lines: list[str] = []

    def walk(member: Member, depth: int) -> None:
        tier = "元請" if member.tier == 0 else f"{member.tier}次"
        ident = member.company or PLACEHOLDER_LABEL
        work = f" — {member.work_name}" if member.work_name else ""
        lines.append(f"{'  ' * depth}{tier} {ident} {member.name} [{status_ja[member.status]}]{work}")
        for child in structure.children(member.member):
            walk(child, depth + 1)

    walk(structure.prime, 0)
    return lines
