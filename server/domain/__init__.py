"""The server's domain core: registry, site structure, roster, reconciliation, corrections, disclosure.

Pure functions over plain records; no database, no HTTP. The store
(``server.store.domain_*``) and the API routes are thin shells around it.
"""

from server.domain.corrections import Correction, deadline
from server.domain.disclosure import Principal
from server.domain.reconcile import Rules, WorkDay, reconcile
from server.domain.registry import CardBinding, Company, Site, Worker
from server.domain.roster import RosterEntry
from server.domain.structure import Structure, StructureChange
from server.domain.taps import SiteTap, derive

__all__ = [
    "CardBinding",
    "Company",
    "Correction",
    "Principal",
    "RosterEntry",
    "Rules",
    "Site",
    "SiteTap",
    "Structure",
    "StructureChange",
    "WorkDay",
    "Worker",
    "deadline",
    "derive",
    "reconcile",
]
