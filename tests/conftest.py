"""Test-wide plugins. ``tests/pg.py`` provides ``pg_cluster``, ``postgresql_url`` and ``database_url``."""

pytest_plugins = ["tests.pg"]
