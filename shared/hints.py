"""The exact commands that user-facing messages tell a person to type, written once.

Every hint that sends someone to a command names it in full, with its required options, so the message can
be followed as it stands (issue 11: "Enroll it or import a roster" did not say how). Translated texts carry
them as placeholders (``%1``), so a translation can never change a command.
"""

from __future__ import annotations

ENROLL = "genba device enroll --server URL --code CODE"
"""Enroll this device (the code comes from the console's enrollment page or ``POST /admin/enrollment-codes``)."""

SITE_SETUP = "genba roster import ROSTER.csv --site ID --site-name NAME"
"""Set the site of a kiosk without a server, with its roster (docs/syncd.md)."""

ROSTER_IMPORT = "genba roster import ROSTER.csv"
"""Replace the roster of a kiosk whose site is already set."""
