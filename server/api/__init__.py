"""The HTTP API (FastAPI routers under ``/api/v1``): one router per resource in ``routes``.

A package (not a namespace) so import-linter sees it: the server's layers contract puts it on top.
"""
