"""``python -m directive_dsl`` runs the `directive` command."""

import sys

from .cli import main

sys.exit(main())
