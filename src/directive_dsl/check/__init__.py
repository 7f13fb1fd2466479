"""The checker: syntax tree in, :class:`~directive_dsl.model.CheckedDirective` out.

It resolves names (imports included), works out units, checks annotations,
functions and periods, and collects every diagnostic before raising once.
"""

from __future__ import annotations

from collections.abc import Collection, Sequence
from pathlib import Path

from .. import model as m
from .. import nodes as n
from ..errors import Diagnostic, DirectiveCheckError, DirectiveError, DirectiveNameError
from ..periods import Period
from ..source import Source, Span
from ..units import UnitRegistry
from .declarations import dataset_info, define_unit, domain_values
from .exprs import Resolver
from .rules import check_rule
from .scope import build_scope
from .waivers import check_waivers

__all__ = ["check"]


def check(
    module: n.Module,
    source: Source,
    *,
    base_dir: Path | None = None,
    allow_outside: bool = False,
    syntax_errors: Sequence[Diagnostic] = (),
    broken_names: Collection[str] = (),
) -> m.CheckedDirective:
    """Check a parsed directive; raise a DirectiveError carrying every problem found.

    ``syntax_errors`` and ``broken_names`` come from a partial parse: the
    errors are reported with the checker's, and names whose declaration did
    not parse are not reported again as unknown.
    """
    folder = base_dir if base_dir is not None else _folder_of(source)
    scope = build_scope(module, source, base_dir=folder, allow_outside=allow_outside)
    diagnostics = [*syntax_errors, *scope.diagnostics]
    report = diagnostics.append

    header, window = _header(module, report)
    units = UnitRegistry()
    first_seen: dict[str, tuple[str, Span]] = {}
    datasets: dict[str, m.DatasetInfo] = {}
    lets: dict[str, n.Let] = {}
    domain_nodes: list[n.Domain] = []
    for declared in scope.declarations:
        node = declared.node
        if isinstance(node, n.UnitDef):
            if _unique(node.name, "unit", first_seen, report, namespace="unit"):
                define_unit(units, node, report)
        elif isinstance(node, n.Dataset):
            if _unique(node.name, "dataset", first_seen, report):
                datasets[node.name.name] = dataset_info(declared, units, report)
        elif isinstance(node, n.Let):
            if _unique(node.name, "let", first_seen, report):
                lets[node.name.name] = node
        elif isinstance(node, n.Domain) and _unique(
            node.dimension, "domain", first_seen, report, namespace="domain"
        ):
            domain_nodes.append(node)

    def declare_implicit(name: str, span: Span) -> m.DatasetInfo:
        info = m.DatasetInfo(name=name, base_dir=folder, span=span)
        datasets[name] = info
        return info

    resolver = Resolver(
        datasets=datasets,
        lets=lets,
        units=units,
        report=report,
        implicit_datasets=not datasets and not broken_names,
        declare_implicit=declare_implicit,
        broken_names=frozenset(broken_names),
    )

    def list_of(ref: n.Ref) -> tuple[str | float, ...] | None:
        typed = resolver.resolve(ref)
        if typed.kind == "list":
            return typed.items
        if typed.kind != "broken":
            report(
                Diagnostic.at(
                    ref.span, "E402", f"`{ref.name}` is not a list", kind=DirectiveCheckError
                )
            )
        return None

    domains = {d.dimension.name: domain_values(d, list_of, report) for d in domain_nodes}
    for let in lets.values():
        resolver.resolve(let.value)  # report problems in lets no rule uses
    rules = _rules(module, resolver, report)
    written = {s.id.name for s in module.statements if isinstance(s, n.Rule) and s.id is not None}
    waivers = check_waivers(module, rules, written | set(broken_names), resolver, window)

    errors = [d for d in diagnostics if d.severity == "error"]
    warnings = _unique_diagnostics(d for d in diagnostics if d.severity == "warning")
    if errors:
        raise DirectiveError.from_diagnostics(_unique_diagnostics(errors))
    return m.CheckedDirective(
        title=header.title.value if header else None,
        path=source.path,
        base_dir=folder,
        window=window,
        source=header.text("source") if header else None,
        owner=header.text("owner") if header else None,
        datasets=datasets,
        domains=domains,
        units=units,
        rules=rules,
        waivers=waivers,
        warnings=tuple(warnings),
    )


def _folder_of(source: Source) -> Path:
    return Path(source.path).resolve().parent if not source.path.startswith("<") else Path.cwd()


def _unique_diagnostics(items: object) -> list[Diagnostic]:
    seen: dict[tuple[object, ...], Diagnostic] = {}
    for d in items:  # type: ignore[attr-defined]
        seen.setdefault((d.code, d.message, d.file, d.line, d.column), d)
    return sorted(seen.values(), key=lambda d: (d.file or "", d.line or 0, d.column or 0))


def _header(
    module: n.Module, report: object
) -> tuple[n.Header | None, tuple[Period, Period] | None]:
    add = report  # a list.append
    headers = [s for s in module.statements if isinstance(s, n.Header)]
    for extra in headers[1:]:
        add(
            Diagnostic.at(
                extra.span,
                "E406",
                "a directive has one header; this is a second one",  # type: ignore[operator]
                kind=DirectiveCheckError,
            )
        )
    if headers and module.statements[0] is not headers[0]:
        add(
            Diagnostic.at(
                headers[0].span,
                "E406",
                "the `directive` header must come first",  # type: ignore[operator]
                kind=DirectiveCheckError,
            )
        )
    header = headers[0] if headers else None
    if header is None:
        return None, None
    periods = [c for c in header.clauses if isinstance(c, n.HeaderPeriod)]
    for key in ("source", "owner"):
        if sum(1 for c in header.clauses if isinstance(c, n.HeaderText) and c.key == key) > 1:
            add(
                Diagnostic.at(
                    header.span,
                    "E406",
                    f"the header gives `{key}` twice",  # type: ignore[operator]
                    kind=DirectiveCheckError,
                )
            )
    if len(periods) > 1:
        add(
            Diagnostic.at(
                periods[1].span, "E406", "the header gives `period` twice", kind=DirectiveCheckError
            )
        )  # type: ignore[operator]
    if not periods:
        return header, None
    clause = periods[0]
    start, end = Period.parse(clause.start.text), Period.parse(clause.end.text)
    for lit, found in ((clause.start, start), (clause.end, end)):
        if found is None:
            add(
                Diagnostic.at(
                    lit.span,
                    "E404",
                    f"`{lit.text}` is not a period",  # type: ignore[operator]
                    hint="write a year (2026), a quarter (2026-Q1) or a month (2026-03)",
                    kind=DirectiveCheckError,
                )
            )
    if start is None or end is None:
        return header, None
    if end.end_day() < start.start_day():
        add(
            Diagnostic.at(
                clause.span,
                "E404",
                f"the period {start} to {end} runs backwards",  # type: ignore[operator]
                kind=DirectiveCheckError,
            )
        )
        return header, None
    return header, (start, end)


def _unique(
    name: n.Identifier,
    what: str,
    seen: dict[str, tuple[str, Span]],
    report: object,
    namespace: str = "value",
) -> bool:
    key = f"{namespace}:{name.name}"
    if key in seen:
        kind, span = seen[key]
        report(
            Diagnostic.at(  # type: ignore[operator]
                name.span,
                "E200",
                f"`{name.name}` is already declared (as a {kind})",
                hint=f"first declared at {span.file}:{span.line}",
                kind=DirectiveNameError,
            )
        )
        return False
    seen[key] = (what, name.span)
    return True


def _rules(module: n.Module, resolver: Resolver, report: object) -> tuple[m.CheckedRule, ...]:
    rules: list[m.CheckedRule] = []
    ids: dict[str, m.CheckedRule] = {}
    for statement in module.statements:
        if not isinstance(statement, n.Rule):
            continue
        checked = check_rule(resolver, statement)
        if checked is None:
            continue
        if checked.id in ids:
            first = ids[checked.id]
            span = statement.id.span if statement.id is not None else checked.span
            report(
                Diagnostic.at(
                    span,
                    "E205",
                    f"rule id `{checked.id}` is already used",  # type: ignore[operator]
                    hint=f"first used at {first.file}:{first.line}; rule ids are unique",
                    kind=DirectiveNameError,
                )
            )
            continue
        ids[checked.id] = checked
        rules.append(checked)
    return tuple(rules)
