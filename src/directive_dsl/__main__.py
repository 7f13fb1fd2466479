"""``python -m directive_dsl`` runs the `directive` command."""

from .cli import run

run()
