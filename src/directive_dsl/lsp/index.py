"""What the language server knows about one document: declarations, diagnostics, the node under the cursor.

Nothing here depends on pygls: :class:`DocumentIndex` answers in offsets and
plain records, and the server turns those into LSP messages. The document is
parsed as far as it goes (a syntax error elsewhere still leaves hover and
completion working), checked when it parses, and its imports are read relative
to its own path.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from pathlib import Path
from typing import Literal

import attrs

from .. import nodes as n
from ..api import loads
from ..check.scope import build_scope
from ..errors import Diagnostic, DirectiveError
from ..model import CheckedDirective
from ..parser import parse_partial
from ..source import Source, Span

Kind = Literal["let", "dataset", "measure", "unit", "domain", "rule", "dimension", "import"]

_WORD = re.compile(r"[A-Za-z_][A-Za-z0-9_]*|`[^`\n]*`")
_BRACKETS = re.compile(r'"(?:[^"\\\n]|\\.)*"|`[^`\n]*`|#[^\n]*|[(\[]|[)\]]')


def source_text(node: n.Node) -> str:
    """The text of *node*, with the closing brackets its span may stop short of."""
    text = node.span.source.text
    end = node.span.end
    depth = 0
    for match in _BRACKETS.finditer(text, node.span.start, end):
        depth += {"(": 1, "[": 1, ")": -1, "]": -1}.get(match.group(), 0)
    while depth > 0:
        found = _BRACKETS.search(text, end)
        if found is None or found.group() not in (")", "]"):
            break
        end, depth = found.end(), depth - 1
    return text[node.span.start : end]


@attrs.frozen(kw_only=True)
class Definition:
    """A declared thing: where it is, and the statement (or clause) declaring it."""

    kind: Kind
    name: str
    node: n.Node
    name_span: Span
    dataset: str | None = None  # the dataset of a measure or a dimension

    @property
    def text(self) -> str:
        """The declaration as written."""
        return source_text(self.node)


@attrs.frozen(kw_only=True)
class Symbol:
    """An outline entry."""

    name: str
    kind: Kind | Literal["header"]
    span: Span
    name_span: Span
    detail: str | None = None
    children: tuple[Symbol, ...] = ()


def _parents(module: n.Module) -> Iterator[tuple[n.Node, tuple[n.Node, ...]]]:
    """Every node with its ancestors, innermost last."""
    stack: list[tuple[n.Node, tuple[n.Node, ...]]] = [(s, ()) for s in module.statements]
    while stack:
        node, ancestors = stack.pop()
        yield node, ancestors
        stack.extend((child, (*ancestors, node)) for child in node.children())


class DocumentIndex:
    """One document, analysed."""

    def __init__(self, text: str, path: str) -> None:
        self.source = Source(text, path)
        partial = parse_partial(self.source)
        self.module = partial.module
        self.checked: CheckedDirective | None = None
        self.diagnostics: list[Diagnostic] = []
        try:
            self.checked = loads(text, path)
            self.diagnostics = list(self.checked.warnings)
        except DirectiveError as error:
            self.diagnostics = list(error.diagnostics)
        self.definitions: list[Definition] = []
        self._declare_all()

    # -- declarations
    def _declare_all(self) -> None:
        folder = Path(self.source.path).resolve().parent
        nodes: list[n.Node] = []
        try:
            scope = build_scope(self.module, self.source, base_dir=folder)
            nodes = [declared.node for declared in scope.declarations]
        except DirectiveError:
            nodes = [s for s in self.module.statements if not isinstance(s, n.Rule | n.Import)]
        nodes += [s for s in self.module.statements if isinstance(s, n.Rule | n.Import)]
        for node in nodes:
            self.definitions.extend(_declared_by(node))

    def find(self, kind: Kind, name: str, dataset: str | None = None) -> list[Definition]:
        """The declarations of *kind* called *name* (for measures and dimensions, of *dataset*)."""
        return [
            d
            for d in self.definitions
            if d.kind == kind and d.name == name and (dataset is None or d.dataset == dataset)
        ]

    def names(self, kind: Kind, dataset: str | None = None) -> list[str]:
        """The names declared as *kind*, in order, once each."""
        found = [d.name for d in self.definitions if d.kind == kind]
        if dataset is not None:
            found = [d.name for d in self.definitions if d.kind == kind and d.dataset == dataset]
        return list(dict.fromkeys(found))

    # -- the cursor
    def at(self, offset: int) -> tuple[n.Node, tuple[n.Node, ...]] | None:
        """The innermost node at *offset* (touching its end counts) and its ancestors."""
        best: tuple[n.Node, tuple[n.Node, ...]] | None = None
        for node, ancestors in _parents(self.module):
            span = node.span
            if span.source is not self.source or not span.start <= offset <= span.end:
                continue
            if best is None or span.end - span.start <= best[0].span.end - best[0].span.start:
                best = (node, ancestors)
        return best

    def word_at(self, offset: int) -> tuple[str, int, int] | None:
        """The name (or backticked name) under *offset*: its text unquoted, start and end."""
        line_start = self.source.text.rfind("\n", 0, offset) + 1
        line_end = self.source.text.find("\n", offset)
        line_end = len(self.source.text) if line_end < 0 else line_end
        for match in _WORD.finditer(self.source.text, line_start, line_end):
            if match.start() <= offset <= match.end():
                return match.group().strip("`"), match.start(), match.end()
        return None

    def resolve(self, offset: int) -> tuple[list[Definition], str | None, Span | None]:
        """What the name at *offset* refers to: its definitions, a word, and the span of the use."""
        found = self.at(offset)
        word = self.word_at(offset)
        if found is None:
            return [], word[0] if word else None, None
        node, ancestors = found
        parent = ancestors[-1] if ancestors else None
        if isinstance(node, n.Identifier):
            return self._identifier(node, parent), node.name, node.span
        if isinstance(node, n.Ref):
            return self._value(node.name, ancestors), node.name, node.span
        if isinstance(node, n.Quantity | n.Measure | n.UnitDef) and word is not None:
            span = self.source.span(word[1], word[2])
            return self.find("unit", word[0]), word[0], span
        return [], word[0] if word else None, None

    def _value(self, name: str, ancestors: tuple[n.Node, ...]) -> list[Definition]:
        in_selector = any(isinstance(a, n.Select | n.Waive) for a in ancestors)  # a waiver's condition too
        kinds: tuple[Kind, ...] = ("let", "dataset")
        if in_selector:  # a column: its domain when one is declared, else where it is declared
            kinds = ("let", "domain", "dimension", "dataset")
        for kind in kinds:
            found = self.find(kind, name)
            if found:
                return found
        return self.find("domain", name) or self.find("dimension", name)

    def _identifier(self, ident: n.Identifier, parent: n.Node | None) -> list[Definition]:
        name = ident.name
        if isinstance(parent, n.Attr) and parent.name is ident:
            dataset = parent.base.name if isinstance(parent.base, n.Ref) else None
            return self.find("measure", name, dataset)
        if isinstance(parent, n.Group | n.Member | n.DatasetDimensions | n.DatasetTime):
            return self.find("domain", name) or self.find("dimension", name)
        if isinstance(parent, n.Domain):
            return self.find("domain", name)
        if isinstance(parent, n.Let):
            return self.find("let", name)
        if isinstance(parent, n.Dataset):
            return self.find("dataset", name)
        if isinstance(parent, n.Measure | n.DerivedMeasure):
            owner = next((d for d in self.definitions if d.name_span is ident.span), None)
            return [owner] if owner else []
        if isinstance(parent, n.UnitDef):
            return self.find("unit", name)
        if isinstance(parent, n.Rule) or (isinstance(parent, n.Waive) and parent.rule is ident):
            return self.find("rule", name)
        return []

    # -- the outline
    def symbols(self) -> list[Symbol]:
        """The header, datasets (with their measures), lets, units, domains, imports and rules."""
        out: list[Symbol] = []
        for statement in self.module.statements:
            if isinstance(statement, n.Header):
                title = statement.title
                out.append(
                    Symbol(
                        name=title.value, kind="header", span=statement.span, name_span=title.span
                    )
                )
                continue
            if isinstance(statement, n.Rule) and statement.id is None:
                line = statement.check.span.line
                stem = (
                    Path(self.source.path).stem
                    if not self.source.path.startswith("<")
                    else "directive"
                )
                out.append(
                    Symbol(
                        name=f"{stem}:{line}",
                        kind="rule",
                        span=statement.span,
                        name_span=statement.check.span,
                    )
                )
                continue
            made = list(_declared_by(statement))
            if not made:
                continue
            head, rest = made[0], made[1:]
            children = tuple(
                Symbol(name=d.name, kind=d.kind, span=d.node.span, name_span=d.name_span)
                for d in rest
                if d.kind == "measure"
            )
            out.append(
                Symbol(
                    name=head.name,
                    kind=head.kind,
                    span=statement.span,
                    name_span=head.name_span,
                    detail=_detail(head),
                    children=children,
                )
            )
        return out


def _declared_by(node: n.Node) -> Iterator[Definition]:
    """The definitions one statement makes."""
    if isinstance(node, n.Let):
        yield Definition(kind="let", name=node.name.name, node=node, name_span=node.name.span)
    elif isinstance(node, n.UnitDef):
        yield Definition(kind="unit", name=node.name.name, node=node, name_span=node.name.span)
    elif isinstance(node, n.Domain):
        dim = node.dimension
        yield Definition(kind="domain", name=dim.name, node=node, name_span=dim.span)
    elif isinstance(node, n.Dataset):
        yield from _dataset(node)
    elif isinstance(node, n.Rule) and node.id is not None:
        yield Definition(kind="rule", name=node.id.name, node=node, name_span=node.id.span)
    elif isinstance(node, n.Import):
        path = node.path
        yield Definition(kind="import", name=path.value, node=node, name_span=path.span)


def _dataset(node: n.Dataset) -> Iterator[Definition]:
    name = node.name.name
    yield Definition(kind="dataset", name=name, node=node, name_span=node.name.span)
    for clause in node.clauses:
        if isinstance(clause, n.Measure):
            column = clause.column
            yield Definition(
                kind="measure", name=column.name, node=clause, name_span=column.span, dataset=name
            )
        elif isinstance(clause, n.DerivedMeasure):
            yield Definition(
                kind="measure",
                name=clause.name.name,
                node=clause,
                name_span=clause.name.span,
                dataset=name,
            )
        elif isinstance(clause, n.DatasetDimensions):
            for column in clause.columns:
                yield Definition(
                    kind="dimension",
                    name=column.name,
                    node=clause,
                    name_span=column.span,
                    dataset=name,
                )


def _detail(definition: Definition) -> str | None:
    node = definition.node
    if isinstance(node, n.Rule):
        return node.title.value if node.title is not None else None
    if isinstance(node, n.Dataset) and node.path is not None:
        return node.path.value
    if isinstance(node, n.UnitDef | n.Let | n.Domain):
        return " ".join(definition.text.split())
    return None
