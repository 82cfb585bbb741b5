"""Where ROI Desk keeps its files, following each platform's conventions.

XDG directories on Linux, %APPDATA% / %LOCALAPPDATA% on Windows, ~/Library on macOS
(platformdirs decides). ``ROI_DESK_HOME`` overrides everything: tests and portable installs
point it at a folder of their own.
"""

from __future__ import annotations

import getpass
import os
from dataclasses import dataclass
from pathlib import Path

import platformdirs

APP_NAME = "ROI Desk"
APP_AUTHOR = "ROI Desk"


@dataclass(frozen=True)
class AppPaths:
    data_dir: Path
    config_dir: Path
    log_dir: Path

    @property
    def database(self) -> Path:
        return self.data_dir / "roi-desk.db"

    @property
    def demo_database(self) -> Path:
        return self.data_dir / "demo" / "roi-desk-demo.db"

    @property
    def backups(self) -> Path:
        return self.data_dir / "backups"

    @property
    def settings_file(self) -> Path:
        return self.config_dir / "settings.ini"


def app_paths() -> AppPaths:
    home = os.environ.get("ROI_DESK_HOME")
    if home:
        base = Path(home)
        return AppPaths(base / "data", base / "config", base / "logs")
    return AppPaths(
        Path(platformdirs.user_data_dir(APP_NAME, APP_AUTHOR)),
        Path(platformdirs.user_config_dir(APP_NAME, APP_AUTHOR)),
        Path(platformdirs.user_log_dir(APP_NAME, APP_AUTHOR)),
    )


def workstation_username() -> str:
    """The operating-system login ("clerk" where it cannot be told). Here, below the
    storage stack, so the sign-in dialog can offer it before the database is open."""
    try:
        return getpass.getuser()
    except (KeyError, OSError):
        return "clerk"
