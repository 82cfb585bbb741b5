"""The ``roi-desk`` command line: the parser and every sub-command, in one package.

Every sub-command lives here (``main`` holds the parser and the lazy registry of the
others, ``support`` what they share: database paths, passphrases, opening a database for a
script), so the core packages below never import the command line (the layers contract in
pyproject.toml). The console script and ``python -m roi_desk`` both call :func:`main`.
"""

from roi_desk.cli.main import PLUGIN_MODULES, SUBCOMMANDS, Subcommand, build_parser, main

__all__ = ["PLUGIN_MODULES", "SUBCOMMANDS", "Subcommand", "build_parser", "main"]
