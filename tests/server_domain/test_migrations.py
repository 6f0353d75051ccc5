"""The domain's Alembic revisions create exactly the tables of server/store/domain_schema.py (no drift)."""

from __future__ import annotations

import sqlalchemy as sa
from alembic.autogenerate import compare_metadata
from alembic.migration import MigrationContext

from server.store.domain_schema import metadata


def test_migrations_match_the_schema(engine: sa.Engine) -> None:
    with engine.connect() as conn:
        ctx = MigrationContext.configure(conn, opts={"compare_type": True})
        diff = [d for d in compare_metadata(ctx, metadata)
                if not (d[0] == "remove_table" and not d[1].name.startswith("dom_"))
                and not (d[0] == "remove_index" and not d[1].table.name.startswith("dom_"))]
    assert diff == []


def test_every_domain_revision_is_on_the_domain_branch(engine: sa.Engine) -> None:
    from alembic.script import ScriptDirectory

    from server.store.engine import alembic_config

    script = ScriptDirectory.from_config(alembic_config())
    domain = [r for r in script.walk_revisions() if r.revision.startswith("01")]
    assert {"0101_domain", "0102_domain_proxies", "0103_worker_language", "0104_taps_by_card_and_time"} <= {
        r.revision for r in domain}
    assert "domain" in script.get_revision("0101_domain").branch_labels
    [head] = [r.revision for r in script.get_revisions("heads") if r.revision.startswith("01")]
    lineage = {r.revision for r in script.iterate_revisions(head, "base")}
    assert {r.revision for r in domain} <= lineage, "one line of history: every domain revision leads to the head"
    with engine.connect() as conn:
        heads = {r[0] for r in conn.execute(sa.text("SELECT version_num FROM alembic_version"))}
    assert head in heads
