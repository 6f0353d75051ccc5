"""The PostgreSQL fixture really gives a working, empty, isolated database on both backends."""

from __future__ import annotations

import sqlalchemy as sa


def test_database_url_gives_an_empty_writable_database(database_url: str) -> None:
    engine = sa.create_engine(database_url)
    try:
        with engine.begin() as conn:
            assert sa.inspect(conn).get_table_names() == []
            conn.execute(sa.text("CREATE TABLE t (x INTEGER)"))
            conn.execute(sa.text("INSERT INTO t VALUES (1)"))
        with engine.connect() as conn:
            assert conn.execute(sa.text("SELECT count(*) FROM t")).scalar_one() == 1
        assert engine.dialect.name in ("sqlite", "postgresql")
    finally:
        engine.dispose()
