"""Keep unnamed rules on their lines, so formatting does not change their ids.

A rule without ``rule ID`` is called ``<file stem>:<line>`` (SPEC §4): if the
formatter moved it, its outcomes would change name. After the layout, blank
lines just above each such rule (above the comments that lead into it) are
added or removed to bring its ``require`` back to its line, where there are
blank lines enough. Each pass aims at the lines of its own input, so the
result still formats to itself.
"""

from __future__ import annotations

from .. import nodes as n
from ..check.rules import rule_location
from ..parser import parse


def unnamed_rule_lines(module: n.Module) -> list[int]:
    """The line of each unnamed rule's ``require``, in order."""
    return [rule_location(s)[1] for s in module.statements if isinstance(s, n.Rule) and s.id is None]


def keep_rule_lines(formatted: str, targets: list[int], filename: str) -> str:
    """*formatted* with blank lines moved so each unnamed rule stands at its target line."""
    if not targets:
        return formatted
    lines = formatted.split("\n")
    module = parse(formatted, filename)
    rules = [s for s in module.statements if isinstance(s, n.Rule) and s.id is None]
    shift = 0  # lines added (or, negative, removed) above the rules handled so far
    for rule, target in zip(rules, targets, strict=True):
        require_line = rule_location(rule)[1] + shift
        top = rule.span.line + shift - 1  # 0-based index of the rule's first line
        while top > 0 and lines[top - 1].lstrip().startswith("#"):
            top -= 1  # comments just above lead into the rule: move them with it
        delta = target - require_line
        if delta > 0 and top > 0:
            lines[top:top] = [""] * delta
            shift += delta
        elif delta < 0:
            removable = 0
            while removable < -delta and top - removable - 1 > 0 and lines[top - removable - 1] == "":
                removable += 1
            del lines[top - removable : top]
            shift -= removable
    return "\n".join(lines)
