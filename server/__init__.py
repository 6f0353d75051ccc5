"""Genba's sync server: enrollment, signed batch ingest, device pulls, operations (FastAPI).

The public surface for the edge (tests), the domain (issue 6) and the CLI:

- :func:`create_app` / :class:`Settings` / :func:`load_settings` — build and configure the server;
- :class:`ServerContext` / :func:`open_context` — engine, server key, services (``app.state.genba``);
- :class:`IngestService`, :class:`IngestedBatch`, :data:`CommitListener` — ingest and its after-commit listeners;
- :class:`ReconcileWorker` — the queue worker that keeps work history up to date;
- :class:`PullProviders`, :class:`RosterSnapshot`, :class:`PulledRosterWorker`, :class:`PulledSiteConfig` —
  device pulls;
- :func:`make_engine`, :func:`migrate`, :func:`write_transaction`, :data:`metadata` — storage;
- :func:`create_code`, :func:`enroll`, :func:`revoke` — enrollment;
- :func:`import_files` — batch files carried by hand.

Must never import Qt, reader libraries or other Genba packages than ``shared``.
"""

from server.app import API_PREFIX, create_app
from server.context import ServerContext, open_context
from server.enrollment import create_code, enroll, revoke
from server.importer import import_files
from server.ingest import CommitListener, IngestedBatch, IngestedEvent, IngestResult, IngestService
from server.settings import Settings, load_settings
from server.store.engine import make_engine, migrate, write_transaction
from server.store.pull import PulledRosterWorker, PulledSiteConfig, PullProviders, RosterSnapshot, put_site_config
from server.store.schema import metadata
from server.worker import ReconcileWorker

__all__ = [
    "API_PREFIX",
    "CommitListener",
    "IngestResult",
    "IngestService",
    "IngestedBatch",
    "IngestedEvent",
    "PullProviders",
    "PulledRosterWorker",
    "PulledSiteConfig",
    "ReconcileWorker",
    "RosterSnapshot",
    "ServerContext",
    "Settings",
    "create_app",
    "create_code",
    "enroll",
    "import_files",
    "load_settings",
    "make_engine",
    "metadata",
    "migrate",
    "open_context",
    "put_site_config",
    "revoke",
    "write_transaction",
]
