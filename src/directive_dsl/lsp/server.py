"""The pygls wiring of the language server: LSP messages in, :class:`DocumentIndex` answers out.

pygls and lsprotocol are imported inside the functions that use them, so this
module (and the package) imports without the ``[lsp]`` extra; :func:`serve`
says what to install when it is missing.

Positions: the index works in character offsets of the document text; LSP
positions count in the encoding negotiated with the client (UTF-16 unless the
client asks otherwise), converted by :class:`Positions`.
"""

from __future__ import annotations

import bisect
import logging
from typing import TYPE_CHECKING

from ..errors import Diagnostic, DirectiveError, DirectiveUsageError
from ..fmt import format_source
from ..source import Span
from ..version import __version__
from .assist import Completion, complete, hover
from .index import DocumentIndex, Symbol

if TYPE_CHECKING:
    from lsprotocol import types as t
    from pygls.lsp.server import LanguageServer

logger = logging.getLogger(__name__)

_COMPLETION_KINDS = {
    "keyword": "Keyword",
    "dataset": "Class",
    "measure": "Field",
    "dimension": "Property",
    "let": "Variable",
    "unit": "Unit",
    "function": "Function",
    "value": "EnumMember",
    "domain": "Enum",
    "rule": "Function",
}

_SYMBOL_KINDS = {
    "header": "Namespace",
    "dataset": "Class",
    "measure": "Field",
    "let": "Variable",
    "unit": "Constant",
    "domain": "Enum",
    "rule": "Function",
    "import": "Module",
    "dimension": "Property",
}


class Positions:
    """Offsets in a text to LSP (line, character) pairs and back, in the client's encoding."""

    def __init__(self, text: str, encoding: str | None = None) -> None:
        self.text = text
        self.encoding = encoding or "utf-16"
        self.starts = [0] + [i + 1 for i, char in enumerate(text) if char == "\n"]

    def _units(self, piece: str) -> int:
        if self.encoding == "utf-8":
            return len(piece.encode("utf-8"))
        if self.encoding == "utf-32":
            return len(piece)
        return len(piece.encode("utf-16-le")) // 2

    def position(self, offset: int) -> tuple[int, int]:
        """The (line, character) of *offset*, both 0-based."""
        offset = max(0, min(offset, len(self.text)))
        line = bisect.bisect_right(self.starts, offset) - 1
        return line, self._units(self.text[self.starts[line] : offset])

    def offset(self, line: int, character: int) -> int:
        """The offset of an LSP position (past the end of a line: the line's end)."""
        if line >= len(self.starts):
            return len(self.text)
        start = self.starts[line]
        end = self.starts[line + 1] - 1 if line + 1 < len(self.starts) else len(self.text)
        units = 0
        for index in range(start, end):
            if units >= character:
                return index
            units += self._units(self.text[index])
        return end

    def range(self, start: int, end: int) -> t.Range:
        """The LSP range of ``start:end``."""
        from lsprotocol import types as t

        (line, character), (end_line, end_character) = self.position(start), self.position(end)
        return t.Range(
            start=t.Position(line=line, character=character),
            end=t.Position(line=end_line, character=end_character),
        )


def document_path(uri: str) -> str:
    """The file path of a ``file://`` URI (imports resolve beside it), else ``<uri>``."""
    from pygls.uris import to_fs_path

    path = to_fs_path(uri) if uri.startswith("file:") else None
    return path if path else f"<{uri}>"


class Documents:
    """One :class:`DocumentIndex` per open document, rebuilt when its version changes."""

    def __init__(self, server: LanguageServer) -> None:
        self.server = server
        self.indexes: dict[str, tuple[int | None, DocumentIndex]] = {}

    def index(self, uri: str) -> DocumentIndex:
        """The analysis of the document's current text."""
        document = self.server.workspace.get_text_document(uri)
        cached = self.indexes.get(uri)
        if cached is not None and cached[0] is not None and cached[0] == document.version:
            return cached[1]
        index = DocumentIndex(document.source, document_path(uri))
        self.indexes[uri] = (document.version, index)
        return index

    def positions(self, text: str) -> Positions:
        encoding = self.server.workspace.position_encoding
        return Positions(text, str(encoding) if encoding else None)

    def location(self, span: Span) -> t.Location:
        """Where *span* is, in this document or in an imported file."""
        from lsprotocol import types as t
        from pygls.uris import from_fs_path

        path = span.source.path
        uri = path[1:-1] if path.startswith("<") else (from_fs_path(path) or path)
        return t.Location(
            uri=uri, range=self.positions(span.source.text).range(span.start, span.end)
        )

    def publish(self, uri: str) -> None:
        """Send the document's diagnostics (none if the analysis itself fails)."""
        from lsprotocol import types as t

        found: list[t.Diagnostic] = []
        try:
            index = self.index(uri)
            positions = self.positions(index.source.text)
            found = [lsp_diagnostic(d, index, positions) for d in index.diagnostics]
        except Exception:  # the server must outlive a bug in the analysis
            logger.exception("analysing %s failed", uri)
        params = t.PublishDiagnosticsParams(uri=uri, diagnostics=found)
        self.server.text_document_publish_diagnostics(params)


def lsp_diagnostic(
    diagnostic: Diagnostic, index: DocumentIndex, positions: Positions
) -> t.Diagnostic:
    """A parser or checker diagnostic as an LSP one; problems in imported files point at the imports."""
    from lsprotocol import types as t

    message = diagnostic.message + (f"\nhint: {diagnostic.hint}" if diagnostic.hint else "")
    span = diagnostic.span
    if span is not None and span.source.path == index.source.path:
        where = positions.range(span.start, span.end)
    elif span is not None or diagnostic.file not in (None, index.source.path):
        message = f"{diagnostic.file}:{diagnostic.line}:{diagnostic.column}: {message}"
        imports = [d.node.span for d in index.definitions if d.kind == "import"]
        where = (
            positions.range(imports[0].start, imports[0].end) if imports else positions.range(0, 0)
        )
    else:
        line = max(0, (diagnostic.line or 1) - 1)
        column = max(0, (diagnostic.column or 1) - 1)
        offset = positions.starts[min(line, len(positions.starts) - 1)] + column
        where = positions.range(offset, offset)
    warning = diagnostic.severity == "warning"
    severity = t.DiagnosticSeverity.Warning if warning else t.DiagnosticSeverity.Error
    return t.Diagnostic(
        range=where, message=message, severity=severity, code=diagnostic.code, source="directive"
    )


def completion_item(item: Completion) -> t.CompletionItem:
    from lsprotocol import types as t

    kind = t.CompletionItemKind[_COMPLETION_KINDS[item.kind]]
    return t.CompletionItem(label=item.label, kind=kind, detail=item.detail)


def document_symbol(symbol: Symbol, positions: Positions) -> t.DocumentSymbol:
    from lsprotocol import types as t

    return t.DocumentSymbol(
        name=symbol.name or "(unnamed)",
        kind=t.SymbolKind[_SYMBOL_KINDS[symbol.kind]],
        range=positions.range(symbol.span.start, symbol.span.end),
        selection_range=positions.range(symbol.name_span.start, symbol.name_span.end),
        detail=symbol.detail,
        children=[document_symbol(child, positions) for child in symbol.children],
    )


def build_server() -> LanguageServer:
    """A pygls server with every feature registered; raises ImportError without pygls."""
    from lsprotocol import types as t
    from pygls.lsp.server import LanguageServer

    server = LanguageServer("directive-lsp", __version__)
    documents = Documents(server)

    @server.feature(t.TEXT_DOCUMENT_DID_OPEN)
    def did_open(params: t.DidOpenTextDocumentParams) -> None:
        documents.publish(params.text_document.uri)

    @server.feature(t.TEXT_DOCUMENT_DID_CHANGE)
    def did_change(params: t.DidChangeTextDocumentParams) -> None:
        documents.publish(params.text_document.uri)

    @server.feature(t.TEXT_DOCUMENT_DID_SAVE)
    def did_save(params: t.DidSaveTextDocumentParams) -> None:
        documents.indexes.pop(params.text_document.uri, None)  # imported files may have changed
        documents.publish(params.text_document.uri)

    @server.feature(t.TEXT_DOCUMENT_DID_CLOSE)
    def did_close(params: t.DidCloseTextDocumentParams) -> None:
        uri = params.text_document.uri
        documents.indexes.pop(uri, None)
        server.text_document_publish_diagnostics(
            t.PublishDiagnosticsParams(uri=uri, diagnostics=[])
        )

    _register_requests(server, documents)
    return server


def _register_requests(server: LanguageServer, documents: Documents) -> None:
    from lsprotocol import types as t

    def where(
        params: t.HoverParams | t.CompletionParams | t.DefinitionParams,
    ) -> tuple[DocumentIndex, Positions, int]:
        index = documents.index(params.text_document.uri)
        positions = documents.positions(index.source.text)
        return index, positions, positions.offset(params.position.line, params.position.character)

    @server.feature(t.TEXT_DOCUMENT_HOVER)
    def on_hover(params: t.HoverParams) -> t.Hover | None:
        index, positions, offset = where(params)
        found = hover(index, offset)
        if found is None:
            return None
        text, span = found
        own = span is not None and span.source is index.source
        place = positions.range(span.start, span.end) if span is not None and own else None
        content = t.MarkupContent(kind=t.MarkupKind.Markdown, value=text)
        return t.Hover(contents=content, range=place)

    triggers = t.CompletionOptions(trigger_characters=[".", "@", "["])

    @server.feature(t.TEXT_DOCUMENT_COMPLETION, triggers)
    def on_completion(params: t.CompletionParams) -> t.CompletionList:
        index, _, offset = where(params)
        items = [completion_item(c) for c in complete(index, offset)]
        return t.CompletionList(is_incomplete=False, items=items)

    @server.feature(t.TEXT_DOCUMENT_DEFINITION)
    def on_definition(params: t.DefinitionParams) -> list[t.Location]:
        index, _, offset = where(params)
        definitions, _, _ = index.resolve(offset)
        return [documents.location(d.name_span) for d in definitions]

    @server.feature(t.TEXT_DOCUMENT_DOCUMENT_SYMBOL)
    def on_symbols(params: t.DocumentSymbolParams) -> list[t.DocumentSymbol]:
        index = documents.index(params.text_document.uri)
        positions = documents.positions(index.source.text)
        return [document_symbol(s, positions) for s in index.symbols()]

    @server.feature(t.TEXT_DOCUMENT_FORMATTING)
    def on_formatting(params: t.DocumentFormattingParams) -> list[t.TextEdit] | None:
        document = server.workspace.get_text_document(params.text_document.uri)
        text = document.source
        try:
            formatted = format_source(text, document_path(params.text_document.uri))
        except DirectiveError:
            return None  # a file that does not parse is left alone
        if formatted == text:
            return []
        whole = documents.positions(text).range(0, len(text))
        return [t.TextEdit(range=whole, new_text=formatted)]


def serve() -> None:
    """Run the language server on stdin and stdout until the client says exit."""
    try:
        server = build_server()
    except ImportError as error:
        raise DirectiveUsageError(
            f"the language server needs the [lsp] extra ({error.name} is not installed)",
            hint="pip install 'directive_dsl[lsp]'",
        ) from None
    server.start_io()
