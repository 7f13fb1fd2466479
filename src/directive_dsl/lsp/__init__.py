"""``directive lsp``: a language server over stdio (needs the ``[lsp]`` extra, pygls).

Diagnostics on open and change, hover, completion, go to definition, document
symbols and formatting::

    from directive_dsl.lsp import serve
    serve()  # until the client sends `exit`

pygls is imported when the server is built, not when this package is: without
the extra, :func:`serve` raises a DirectiveUsageError that says what to
install. The analysis itself (index.py, assist.py) never needs pygls.
"""

from __future__ import annotations

from .server import build_server, serve

__all__ = ["build_server", "serve"]
