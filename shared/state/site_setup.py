"""Setting a kiosk's site without a server (``genba roster import FILE --site ID --site-name NAME``).

A kiosk learns its site from enrollment (``device.json``) and the server's site configuration (state.db).
A site without a server has neither, so the operator names the site when importing the roster. Until a site
is known, taps are still recorded, with ``site`` = "" (:data:`shared.event.NO_SITE`), and the server later
attributes them to the device's assigned site (docs/protocol.md §2).

The rule this module decides, and nothing else: a site once set is not silently replaced. An enrolled
device's site comes from its enrollment and cannot be named here; a different site than the one already
stored needs ``change=True`` (the operator's explicit act, after a typing mistake). Pure: no I/O.
"""

from __future__ import annotations

import dataclasses

from shared.errors import FormatError
from shared.ids import check_ccus_id
from shared.state.errors import SiteConflict
from shared.state.model import MAX_TEXT, SiteConfig


def offline_site_config(current: SiteConfig, *, site: str, name: str | None, enrolled_site: str | None,
                        change: bool = False) -> SiteConfig:
    """The site configuration to store for ``--site site --site-name name``; raises when it must not be set.

    ``current`` is what state.db holds now (its day boundary, repeat window and timezone are kept);
    ``enrolled_site`` is the site of this device's enrollment, or None when it was never enrolled.
    A ``name`` of None keeps the current name when the site is unchanged.
    """
    check_ccus_id(site, "site (現場ID)")
    if name is not None:
        name = name.strip()
        if len(name) > MAX_TEXT or any(not c.isprintable() for c in name):
            raise FormatError(f"site name must be at most {MAX_TEXT} printable characters")
    if enrolled_site is not None and enrolled_site != site:
        raise SiteConflict(f"this device is enrolled to site {enrolled_site}; its site comes from the server, "
                           f"not from --site {site} (a device writes only into its own site)")
    if current.site is not None and current.site != site and not change:
        raise SiteConflict(f"this kiosk is already set to site {current.site}; to set site {site} instead, "
                           f"repeat with --change-site (taps already recorded keep site {current.site})")
    if name is None:
        name = current.name if current.site == site else ""
    return dataclasses.replace(current, site=site, name=name, etag=None)
