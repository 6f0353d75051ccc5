"""Test-wide plugins. ``tests/pg.py`` provides ``pg_cluster``, ``postgresql_url`` and ``database_url``;
``tests/edge.py`` provides ``data``, ``clock``, ``device`` and ``writer`` (a journal writer on a manual clock)."""

pytest_plugins = ["tests.pg", "tests.edge"]
