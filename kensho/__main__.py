"""``python -m kensho`` runs the ``kensho`` command."""

import sys

from kensho.cli import main

sys.exit(main())
