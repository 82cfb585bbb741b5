"""The fax gateway a site's settings describe, and what is missing before it can be used.

A fresh install and the demo fax through a hot folder inside the data folder
(``<data folder>/fax-outbox``): the desk works out of the box, and a site with a fax server
points the folder at the server's watched spool in Settings. :func:`fax_setup` builds the
gateway and checks the folder *before* anyone keys a number, so the Packet tab can say
what is missing instead of failing after the clerk confirmed the fax.
"""

from __future__ import annotations

import os
from dataclasses import dataclass
from pathlib import Path

from roi_desk.delivery.gateways import FaxGateway, HotFolderGateway

__all__ = ["FaxSetup", "fax_setup"]


@dataclass(frozen=True)
class FaxSetup:
    """The gateway to use (``None`` when faxing cannot work) and what to tell the clerk."""

    gateway: FaxGateway | None
    #: where faxes go, in words ("the fax folder /…/fax-outbox")
    where: str
    #: why faxing cannot work now ("" when it can), a sentence a clerk can act on
    problem: str = ""


def _usable_folder(folder: Path) -> str:
    """ "" when ``folder`` exists (or was just made, 0700) and this user can write in it."""
    try:
        # 0700: the folder holds fax images, PHI (45 CFR 164.312(a)(1))
        folder.mkdir(parents=True, exist_ok=True, mode=0o700)
    except OSError:
        return (
            f"The fax folder {folder} cannot be created. Ask an administrator to choose "
            "another one in Settings → Delivery."
        )
    if not folder.is_dir():
        return (
            f"The fax folder {folder} is not a folder. Ask an administrator to correct it in "
            "Settings → Delivery."
        )
    if not os.access(folder, os.W_OK | os.X_OK):
        return (
            f"This computer may not write into the fax folder {folder}. Ask IT for access, "
            "or an administrator to choose another folder in Settings → Delivery."
        )
    return ""


def fax_setup(fax_gateway: str, folder: Path) -> FaxSetup:
    """The gateway for the settings ``fax_gateway`` ("hot_folder" or "none") and ``folder``."""
    if fax_gateway == "none":
        return FaxSetup(
            None,
            "nowhere",
            "Faxing is turned off for this site. An administrator can turn it on in "
            "Settings → Delivery.",
        )
    where = f"the fax folder {folder}"
    problem = _usable_folder(folder)
    if problem:
        return FaxSetup(None, where, problem)
    return FaxSetup(HotFolderGateway(folder), where)
