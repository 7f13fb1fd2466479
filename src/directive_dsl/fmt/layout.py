"""Statements and the whole file as docs: one canonical layout.

- Header clauses, dataset clauses and the ``require`` under a ``rule`` head are
  indented by two spaces, one clause per line; a ``from`` that comes first in a
  dataset stays on the ``dataset`` line.
- Annotations stand one per line above their rule.
- A ``require``'s time clause goes to the next line (indented) only when the
  line would pass the width.
- Blank lines: a statement that always takes several lines (a header with
  clauses, a dataset with clauses besides its ``from``, a rule with a head or
  annotations) is set apart from its neighbours by one blank line. Between
  one-line statements (``import``, ``unit``, ``domain``, ``let``, a bare
  ``require``, a ``dataset`` with at most a ``from``) and around comments the
  author's choice is kept, several blank lines counting as one.
"""

from __future__ import annotations

from .. import nodes as n
from .doc import HARDLINE, LINE, Doc, Fill, Group, Indent, cat
from .exprs import ExprLayout
from .tokens import SourceComment, TokenCursor


def is_block(statement: n.Statement) -> bool:
    """Whether *statement* always takes several lines: it then gets blank lines around it."""
    if isinstance(statement, n.Header):
        return bool(statement.clauses)
    if isinstance(statement, n.Dataset):
        inline = 1 if statement.clauses and isinstance(statement.clauses[0], n.DatasetFrom) else 0
        return len(statement.clauses) > inline
    if isinstance(statement, n.Rule):
        return statement.id is not None or bool(statement.annotations)
    return False


class Layout(ExprLayout):
    """Docs for statements and for the whole module."""

    def __init__(self, cursor: TokenCursor) -> None:
        super().__init__(cursor)

    # -- the module
    def module(self, module: n.Module) -> Doc:
        """The whole file: statements with their comments and blank lines."""
        parts: list[Doc] = []
        previous: n.Statement | None = None
        for statement in module.statements:
            comments = self.cursor.pop_leading()
            blank_first = comments[0].blank_before if comments else self.cursor.blank_before_next()
            if previous is not None:
                blank = blank_first or is_block(previous) or is_block(statement)
                parts += [HARDLINE, HARDLINE] if blank else [HARDLINE]
            parts += self._comment_lines(comments, self.cursor.blank_before_next())
            parts.append(self.statement(statement))
            previous = statement
        dangling = self.cursor.finish()
        if dangling:
            if previous is not None:
                parts += [HARDLINE, HARDLINE] if dangling[0].blank_before else [HARDLINE]
            parts += self._comment_lines(dangling, False)
        parts.append(HARDLINE)
        return cat(*parts)

    @staticmethod
    def _comment_lines(comments: list[SourceComment], blank_after: bool) -> list[Doc]:
        out: list[Doc] = []
        for index, comment in enumerate(comments):
            if index and comment.blank_before:
                out.append(HARDLINE)
            out += [comment.text, HARDLINE]
        if comments and blank_after:
            out.append(HARDLINE)
        return out

    def statement(self, node: n.Statement) -> Doc:
        """One statement."""
        if isinstance(node, n.Header):
            return self.header(node)
        if isinstance(node, n.Dataset):
            return self.dataset(node)
        if isinstance(node, n.Rule):
            return self.rule(node)
        if isinstance(node, n.Domain):
            head = cat(self.word("domain"), " ", self.name(node.dimension), " ", self.word("="))
            return cat(head, " ", self.ref_or_list(node.values))
        if isinstance(node, n.UnitDef):
            head = cat(self.word("unit"), " ", self.name(node.name))
            if node.quantity is None:
                return head
            return cat(head, " ", self.word("="), " ", self.quantity(node.quantity))
        if isinstance(node, n.Let):
            head = cat(self.word("let"), " ", self.name(node.name), " ", self.word("="))
            return cat(head, " ", self.expr(node.value))
        if isinstance(node, n.Waive):
            return self.waive(node)
        return cat(self.word("import"), " ", self.string(node.path))

    @staticmethod
    def _clauses(clauses: list[Doc]) -> Doc:
        return Indent(cat(*(cat(HARDLINE, clause) for clause in clauses)))

    # -- header and datasets
    def header(self, node: n.Header) -> Doc:
        head = cat(self.word("directive"), " ", self.string(node.title))
        return cat(head, self._clauses([self.header_clause(c) for c in node.clauses]))

    def header_clause(self, clause: n.HeaderPeriod | n.HeaderText) -> Doc:
        if isinstance(clause, n.HeaderPeriod):
            start = cat(self.word("period"), " ", self.period(clause.start))
            return cat(start, " ", self.word("to"), " ", self.period(clause.end))
        return cat(self.word(clause.key), " ", self.string(clause.value))

    def dataset(self, node: n.Dataset) -> Doc:
        head: Doc = cat(self.word("dataset"), " ", self.name(node.name))
        clauses = list(node.clauses)
        if clauses and isinstance(clauses[0], n.DatasetFrom) and not self.cursor.next_has_leading():
            head = Group(cat(head, Indent(cat(LINE, self.dataset_clause(clauses.pop(0))))))
        return cat(head, self._clauses([self.dataset_clause(c) for c in clauses]))

    def dataset_clause(self, clause: n.DatasetClause) -> Doc:
        if isinstance(clause, n.DatasetFrom):
            head = cat(self.word("from"), " ", self.string(clause.path))
            parts: list[Doc] = []
            for index, option in enumerate(clause.options):
                parts += [" ", self.word("with"), " "] if not index else [self.word(","), " "]
                key = self.name(option.key)
                value = self.word(option.value.value) if option.number else self.string(option.value)
                parts += [key, " ", value]
            return cat(head, Indent(cat(*parts))) if parts else head
        if isinstance(clause, n.DatasetTime):
            return cat(self.word("time"), " ", self.name(clause.column))
        if isinstance(clause, n.DatasetDimensions):
            return self.dimensions(clause)
        if isinstance(clause, n.DatasetFill):
            return cat(self.word("fill"), " ", self.quantity(clause.value))
        if isinstance(clause, n.DatasetAsOf):
            return cat(self.word("as"), " ", self.word("of"), " ", self.period(clause.period))
        if isinstance(clause, n.DerivedMeasure):
            head = cat(self.word("measure"), " ", self.name(clause.name), " ", self.word("="))
            return cat(head, " ", self.expr(clause.expr))
        return self.measure(clause)

    def dimensions(self, clause: n.DatasetDimensions) -> Doc:
        keyword = self.word("dimensions")
        parts: list[Doc] = []
        for index, column in enumerate(clause.columns):
            if index:
                parts.append(cat(self.word(","), LINE))
            parts.append(self.name(column))
        return cat(keyword, " ", Indent(Fill(parts)))

    def measure(self, clause: n.Measure) -> Doc:
        parts: list[Doc] = [self.word("measure"), " ", self.name(clause.column)]
        if clause.magnitude is not None:
            parts += [" ", self.word(clause.magnitude)]
        if clause.unit is not None:
            parts += [" ", self.word(clause.unit)]
        if clause.unit_column is not None:
            parts += [" ", self.cursor.take("unit from", expect=()), " ", self.name(clause.unit_column)]
        if clause.aggregate is not None:
            parts += [" ", self.word("aggregate"), " ", self.name(clause.aggregate)]
        return cat(*parts)

    def waive(self, node: n.Waive) -> Doc:
        """``waive RULE[condition] until P because "reason"``: the clauses break onto lines of their own."""
        head: list[Doc] = [self.word("waive"), " ", self.name(node.rule)]
        if node.condition is not None:
            head.append(self._sequence("[", (node.condition,), self.condition, "]"))
        clauses: list[Doc] = []
        if node.until is not None:
            clauses.append(cat(LINE, self.word("until"), " ", self.period(node.until)))
        clauses.append(cat(LINE, self.word("because"), " ", self.string(node.reason)))
        return cat(*head, Group(Indent(cat(*clauses))))

    # -- rules
    def rule(self, node: n.Rule) -> Doc:
        lines: list[Doc] = [cat(self.annotation(a), HARDLINE) for a in node.annotations]
        if node.id is None:
            return cat(*lines, self.require(node))
        head: list[Doc] = [self.word("rule"), " ", self.name(node.id)]
        if node.title is not None:
            head += [" ", self.string(node.title)]
        head.append(self.word(":"))
        return cat(*lines, *head, Indent(cat(HARDLINE, self.require(node))))

    def annotation(self, node: n.Annotation) -> Doc:
        key = cat(self.word("@"), self.name(node.key))
        value = (
            self.string(node.value) if isinstance(node.value, n.String) else self.expr(node.value)
        )
        return cat(key, " ", value)

    def require(self, node: n.Rule) -> Doc:
        keyword = self.word("require")
        check = self.check(node.check)
        if node.time is None:
            return cat(keyword, " ", check)
        return cat(keyword, " ", check, Group(Indent(cat(LINE, self.time_clause(node.time)))))

    def check(self, node: n.Check) -> Doc:
        value = self.expr(node.value if isinstance(node, n.Between) else node.left)
        if isinstance(node, n.Comparison):
            rest = cat(LINE, self.word(node.op), " ", self.expr(node.right))
        else:
            low = cat(self.word("between"), " ", self.expr(node.low))
            rest = cat(LINE, low, LINE, self.word("and"), " ", self.expr(node.high))
        left = node.value if isinstance(node, n.Between) else node.left
        if isinstance(left, n.BinOp):
            # A chain broken over lines ends, on a line of its own, with the operator.
            return Group(cat(value, Indent(rest)))
        # Else the operator's break is a group of its own after the left side: a
        # left side too long for one line breaks inside its brackets and the
        # operator follows the closing bracket: `share(⏎ … ⏎) >= 10%`.
        return cat(value, Group(Indent(rest)))

    def time_clause(self, node: n.TimeClause) -> Doc:
        if isinstance(node, n.Per):
            per = cat(self.word("per"), " ", self.word(node.grain))
            if node.start is None or node.end is None:
                return per
            start = cat(self.word("from"), " ", self.period(node.start))
            return cat(per, " ", start, " ", self.word("to"), " ", self.period(node.end))
        if isinstance(node, n.InPeriod):
            return cat(self.word("in"), " ", self.period(node.period))
        if isinstance(node, n.InTotal):
            total = cat(self.word("in"), " ", self.word("total"))
            if node.start is None or node.end is None:
                return total
            start = cat(self.word("from"), " ", self.period(node.start))
            return cat(total, " ", start, " ", self.word("to"), " ", self.period(node.end))
        return self.by(node)

    def by(self, node: n.By) -> Doc:
        deadline = cat(self.word("by"), " ", self.period(node.deadline))
        if node.baseline_period is None:
            return deadline
        start = self.word("from")
        if node.baseline_value is None:
            return cat(deadline, " ", start, " ", self.period(node.baseline_period))
        value = self.expr(node.baseline_value)
        stated = cat(value, " ", self.word("in"), " ", self.period(node.baseline_period))
        return cat(deadline, " ", start, " ", stated)
