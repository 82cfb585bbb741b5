"""``python -m roi_desk`` is the same as the ``roi-desk`` command."""

import sys

from roi_desk.cli import main

sys.exit(main())
