"""Hover texts and completions for the language server, worked out from a :class:`DocumentIndex`.

Hover shows a measure's unit and aggregate, a ``let``'s definition, a dataset's
declaration, a rule's title and ``@source`` (also on the rule id of a
``waive``), a waiver's reason and period, a unit's meaning and a function's
use. Completion reads the text before the cursor: after ``dataset.`` the
measures of that dataset, after ``waive`` the rule ids, inside ``waive
rule[…]`` that rule's dimensions, inside ``[…]`` the dimensions, after a
number the units, after ``@`` the annotations, and otherwise keywords,
datasets, lets and functions.
"""

from __future__ import annotations

import re
from typing import Literal

import attrs

from .. import nodes as n
from ..aggregates import AGGREGATES as AGGREGATE_KINDS
from ..check.exprs import FUNCTIONS
from ..check.rules import ANNOTATIONS
from ..data.options import OPTION_NAMES
from ..fmt.tokens import keywords
from ..source import Span
from ..units import MAGNITUDES, UnitRegistry, UnknownUnit
from .index import Definition, DocumentIndex, source_text

CompletionKind = Literal[
    "keyword", "dataset", "measure", "dimension", "let", "unit", "function", "value", "domain", "rule"
]

FUNCTION_HELP = {
    **{name: kind.help for name, kind in AGGREGATE_KINDS.items()},
    "share": "share(a, b): a / b in %; a and b must have the same dimension.",
    "growth": "growth(x): x / x in the previous period − 1, in %; needs a time clause with a grain.",
    "change": "change(x): x − x in the previous period; needs a time clause with a grain.",
}

ANNOTATION_HELP = {
    "severity": "@severity error|warning|info: how a violation of the rule counts (default error).",
    "missing": "@missing fail|warn|ignore: what a missing value counts as.",
    "source": '@source "…": where the target comes from (a paragraph of the directive).',
    "owner": '@owner "…": who answers for the target.',
    "track": "@track path|trend|sdg: what decides on or off track before a deadline "
             "(the straight path, the projected trend, or the SDG progress class).",
    "partial": "@partial skip|full: a period the data has only partly reached (a year through June) "
               "is not judged, or judged as if complete; by default it is on or off track.",
    "incomplete": "@incomplete allow: a period with a month (quarter, day) without data for a group "
                  "is judged on the rows present, instead of missing.",
}


@attrs.frozen(kw_only=True)
class Completion:
    """One completion item."""

    label: str
    kind: CompletionKind
    detail: str | None = None


# ---------------------------------------------------------------- hover


def hover(index: DocumentIndex, offset: int) -> tuple[str, Span | None] | None:
    """Markdown for what is under *offset*, and the span it is about."""
    definitions, word, span = index.resolve(offset)
    if definitions:
        texts = dict.fromkeys(_describe(index, d) for d in definitions)
        return "\n\n---\n\n".join(texts), span
    found = index.at(offset)
    if found is None:
        return None
    node, ancestors = found
    parent = ancestors[-1] if ancestors else None
    if isinstance(node, n.Identifier) and isinstance(parent, n.Call | n.Measure):
        text = FUNCTION_HELP.get(node.name)
        return (f"`{text}`", node.span) if text else None
    if isinstance(node, n.Identifier) and isinstance(parent, n.Annotation):
        text = ANNOTATION_HELP.get(node.name)
        return (text, node.span) if text else None
    if isinstance(node, n.Identifier) and isinstance(parent, n.FileOption):
        text = FILE_OPTION_HELP.get(node.name)
        return (f"file option `{node.name}`: {text}", node.span) if text else None
    for clause in (node, parent):
        if isinstance(clause, n.DatasetFill | n.DatasetAsOf):
            return CLAUSE_HELP[type(clause)], clause.span
    if (word is not None and span is not None) or isinstance(node, n.Quantity):
        unit = _unit_words(index, word or "")
        if unit is not None:
            return unit, span
    holder = node if isinstance(node, n.Rule | n.Dataset | n.Waive) else parent
    if isinstance(holder, n.Waive):
        return _describe_waiver(holder), None
    if isinstance(holder, n.Rule | n.Dataset):
        return _describe_statement(index, holder), None
    return None


CLAUSE_HELP: dict[type, str] = {
    n.DatasetFill: "`fill 0`: a group with no row in a period counts as zero for every measure of the "
                   "dataset (never missing), from its first period with data to its as-of.",
    n.DatasetAsOf: "`as of P`: the dataset's data runs through P; later rows are not read. A rule runs "
                   "through the earliest as-of of its datasets.",
}


def _describe_waiver(node: n.Waive) -> str:
    until = f" until {node.until.text}" if node.until is not None else " with no end"
    return (f"**waiver** of rule `{node.rule.name}`{until}\n\n{node.reason.value}\n\n"
            "its outcomes that miss keep their status and are not violations")


def _describe(index: DocumentIndex, definition: Definition) -> str:
    kind = definition.kind
    if kind == "measure":
        return _describe_measure(index, definition)
    if kind == "dimension":
        return _describe_dimension(index, definition.name)
    if kind == "rule":
        assert isinstance(definition.node, n.Rule)
        return _describe_rule(definition.node)
    if kind == "unit":
        words = _unit_words(index, definition.name)
        return _code(definition.text) + (f"\n\n{words}" if words else "")
    if kind == "dataset":
        assert isinstance(definition.node, n.Dataset)
        return _describe_dataset(index, definition.node)
    if kind == "import":
        return f"imports the datasets, domains, units and lets of `{definition.name}`"
    return _code(definition.text)


def _describe_statement(index: DocumentIndex, node: n.Rule | n.Dataset) -> str:
    return _describe_rule(node) if isinstance(node, n.Rule) else _describe_dataset(index, node)


def _describe_measure(index: DocumentIndex, definition: Definition) -> str:
    head = f"**measure** `{definition.dataset}.{definition.name}`"
    node = definition.node
    checked = index.checked
    info = None
    if (
        checked is not None
        and definition.dataset is not None
        and definition.dataset in checked.datasets
    ):
        info = checked.datasets[definition.dataset].measures.get(definition.name)
    written = (
        " ".join(p for p in (node.magnitude, node.unit) if p) if isinstance(node, n.Measure) else ""
    )
    if info is not None:
        unit = written or (info.unit.name if info.unit is not None and info.unit.name else None)
        unit_text = f"`{unit}`" if unit else ("a plain number" if info.unit else "unknown")
        lines = [f"unit: {unit_text}", f"aggregate: `{info.aggregate}`"]
    elif isinstance(node, n.Measure):
        aggregate = node.aggregate.name if node.aggregate else "sum"
        lines = [f"unit: `{written}`" if written else "unit: unknown", f"aggregate: `{aggregate}`"]
    else:
        lines = []
    if isinstance(node, n.Measure) and node.unit_column is not None:
        lines[:1] = [f"unit: per row, from column `{node.unit_column.name}` (converted before adding up)"]
    if isinstance(node, n.DerivedMeasure):
        lines.append("computed row by row: " + _code(" ".join(definition.text.split())))
    return "\n\n".join([head, *lines])


def _describe_dataset(index: DocumentIndex, node: n.Dataset) -> str:
    text = source_text(node)
    measures = index.names("measure", dataset=node.name.name)
    checked = index.checked
    if checked is not None and node.name.name in checked.datasets:
        measures = list(checked.datasets[node.name.name].measures) or measures
    listed = ", ".join(f"`{m}`" for m in measures) or "inferred from the data"
    return f"{_code(text)}\n\nmeasures: {listed}"


def _describe_dimension(index: DocumentIndex, name: str) -> str:
    owners = [d.dataset for d in index.find("dimension", name) if d.dataset]
    lines = [f"**dimension** `{name}`"]
    if owners:
        lines.append("of " + ", ".join(f"`{o}`" for o in dict.fromkeys(owners)))
    for domain in index.find("domain", name):
        lines.append(_code(domain.text))
    return "\n\n".join(lines)


def _describe_rule(node: n.Rule) -> str:
    name = node.id.name if node.id is not None else "(unnamed)"
    lines = [f"**rule** `{name}`" + (f": {node.title.value}" if node.title else "")]
    for annotation in node.annotations:
        value = annotation.value
        shown = value.value if isinstance(value, n.String) else value.name
        lines.append(f"@{annotation.key.name}: {shown}")
    return "\n\n".join(lines)


def _unit_words(index: DocumentIndex, word: str) -> str | None:
    if word in MAGNITUDES:
        return f"`{word}`: × {MAGNITUDES[word]:,.0f}"
    registry = index.checked.units if index.checked is not None else UnitRegistry()
    try:
        unit = registry.parse(word)
    except (UnknownUnit, ValueError):
        return None
    return f"unit {unit.describe()}"


def _code(text: str) -> str:
    return f"```directive\n{text.strip()}\n```"


# ---------------------------------------------------------------- completion

_AFTER_DOT = re.compile(r"([A-Za-z_][A-Za-z0-9_]*|`[^`\n]+`)\s*\.\s*[A-Za-z0-9_]*$")
_AFTER_NUMBER = re.compile(
    r"(?:^|[^A-Za-z0-9_.])[0-9][0-9_.eE]*\s+(?:(thousand|million|billion|trillion)\s+)?[A-Za-z0-9_]*$"
)
_AFTER_MEASURE = re.compile(r"\bmeasure\s+\S+\s+(?:(thousand|million|billion|trillion)\s+)?\w*$")


# After `from "path" with` or after a comma that follows an option's value.
_AFTER_WITH = re.compile(r'\bfrom\s+"[^"\n]*"\s+with\s+(?:[^\n]*,\s*)?\w*$')
FILE_OPTION_HELP = {
    "delimiter": 'the character between cells: delimiter ";"',
    "decimal": 'the decimal mark, "." or ",": decimal ","',
    "encoding": 'the text encoding (a Python codec): encoding "cp1251"',
    "header": "the 1-based row of the column names: header 3",
    "sheet": 'a sheet of a workbook, by name or 1-based number: sheet "2026"',
}


def complete(index: DocumentIndex, offset: int) -> list[Completion]:
    """What may be typed at *offset*."""
    text = index.source.text
    line = text[text.rfind("\n", 0, offset) + 1 : offset]
    if (match := re.search(r"@(severity|missing)\s+\w*$", line)) is not None:
        return [Completion(label=v, kind="value") for v in ANNOTATIONS[match.group(1)] or ()]
    if re.search(r"@\w*$", line):
        return [Completion(label=k, kind="keyword", detail=ANNOTATION_HELP[k]) for k in ANNOTATIONS]
    if (match := _AFTER_DOT.search(line)) is not None:
        return _measures(index, match.group(1).strip("`"))
    if re.search(r"\bwaive\s+\w*$", line):
        return _rule_ids(index)
    if (match := _WAIVER_CONDITION.search(line)) is not None:
        return _waiver_condition(index, match.group(1).strip("`"))
    if _AFTER_WITH.search(line):
        return [Completion(label=o, kind="keyword", detail=FILE_OPTION_HELP[o]) for o in OPTION_NAMES]
    if re.search(r"\baggregate\s+\w*$", line):
        return [Completion(label=f, kind="function", detail=FUNCTION_HELP[f]) for f in AGGREGATE_KINDS]
    if re.search(r"\bper\s+\w*$", line):
        return [Completion(label=g, kind="keyword") for g in ("year", "quarter", "month")]
    if (match := _AFTER_NUMBER.search(line) or _AFTER_MEASURE.search(line)) is not None:
        return _units(index, with_magnitudes=match.group(1) is None)
    if _in_selector(text, offset):
        return _selector(index)
    return _anywhere(index)


_WAIVER_CONDITION = re.compile(r"\bwaive\s+([A-Za-z_][A-Za-z0-9_]*|`[^`\n]+`)\s*\[[^\]]*$")


def _rule_ids(index: DocumentIndex) -> list[Completion]:
    rules = [d for d in index.definitions if d.kind == "rule"]
    return [Completion(label=d.name, kind="rule", detail=_rule_title(d.node)) for d in rules]


def _rule_title(node: n.Node) -> str | None:
    return node.title.value if isinstance(node, n.Rule) and node.title is not None else None


def _waiver_condition(index: DocumentIndex, rule: str) -> list[Completion]:
    """The dimensions *rule* groups by (every dimension when it is not checked yet)."""
    checked = index.checked
    found = next((r for r in checked.rules if r.id == rule), None) if checked is not None else None
    if found is None:
        return _selector(index)
    items = [Completion(label=d, kind="dimension", detail=f"a group of {rule}") for d in found.dimensions]
    return items + [Completion(label=w, kind="keyword") for w in ("in", "not", "and", "or")]


def _measures(index: DocumentIndex, dataset: str) -> list[Completion]:
    names = index.names("measure", dataset=dataset)
    checked = index.checked
    if checked is not None and dataset in checked.datasets:
        names = list(dict.fromkeys([*names, *checked.datasets[dataset].measures]))
    return [Completion(label=m, kind="measure", detail=f"measure of {dataset}") for m in names]


def _units(index: DocumentIndex, *, with_magnitudes: bool) -> list[Completion]:
    registry = index.checked.units if index.checked is not None else UnitRegistry()
    names = dict.fromkeys([*index.names("unit"), *registry.names()])
    items = [Completion(label=u, kind="unit", detail=_unit_words(index, u)) for u in names]
    if with_magnitudes:
        items += [Completion(label=m, kind="keyword", detail="magnitude") for m in MAGNITUDES]
    return items


def _in_selector(text: str, offset: int) -> bool:
    """Whether *offset* is inside an unclosed ``[`` that follows a value (not a list literal)."""
    depth = 0
    for index in range(offset - 1, max(-1, offset - 2000), -1):
        char = text[index]
        if char == "]":
            depth += 1
        elif char == "[":
            if depth == 0:
                before = text[:index].rstrip()
                return bool(before) and (before[-1].isalnum() or before[-1] in "_`])")
            depth -= 1
        elif char == "\n" and re.match(
            r"\s*(let|dataset|domain|unit|import|rule|require|waive|@)\b", text[index + 1 :]
        ):
            return False
    return False


def _selector(index: DocumentIndex) -> list[Completion]:
    dims = index.names("dimension")
    checked = index.checked
    if checked is not None:
        for info in checked.datasets.values():
            dims += [d for d in info.dimensions or () if d not in dims]
    items = [Completion(label=d, kind="dimension") for d in dims]
    items += [Completion(label=name, kind="let") for name in index.names("let")]
    items += [Completion(label=w, kind="keyword") for w in ("in", "not", "and", "or")]
    return items


def _anywhere(index: DocumentIndex) -> list[Completion]:
    items = [Completion(label=d, kind="dataset") for d in index.names("dataset")]
    items += [
        Completion(label=let.name, kind="let", detail=" ".join(let.text.split()))
        for let in index.definitions
        if let.kind == "let"
    ]
    items += [Completion(label=f, kind="function", detail=FUNCTION_HELP[f]) for f in FUNCTIONS]
    items += [Completion(label=d, kind="domain") for d in index.names("domain")]
    items += [Completion(label=k, kind="keyword") for k in sorted(keywords())]
    return items
