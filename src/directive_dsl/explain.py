"""`directive explain CODE`: what an error or warning code means, with an example.

The text is the code's entry under "The codes" in docs/errors.md, which the
wheel carries as ``directive_dsl/docs/errors.md``; in a source checkout the
same file is read from docs/. It is shown lightly formatted for a terminal:
headings without their ``#``, fenced blocks indented instead of fenced.
"""

from __future__ import annotations

import functools
import re

from .errors import CODES, DirectiveUsageError, closest
from .source import shipped_text

_HEADING = re.compile(r"^### (?P<code>[EW][0-9]{3}): (?P<title>.+)$", re.MULTILINE)
_SECTION = "## The codes"
_LIST_HINT = "`directive explain --list` lists every code"


def errors_text() -> str:
    """The text of docs/errors.md, from the installed package or the source tree."""
    return shipped_text("docs/errors.md", "docs/errors.md")


@functools.cache
def entries() -> dict[str, tuple[str, str]]:
    """Each code's title and the markdown of its entry (heading excluded), in file order."""
    text = errors_text()
    start = text.find(f"\n{_SECTION}\n")
    if start < 0:
        return {}
    section = text[start + len(_SECTION) + 2 :]
    following = re.search(r"^## ", section, re.MULTILINE)
    if following:
        section = section[: following.start()]
    headings = list(_HEADING.finditer(section))
    found: dict[str, tuple[str, str]] = {}
    for heading, after in zip(headings, [*headings[1:], None], strict=True):
        end = after.start() if after else len(section)
        body = section[heading.end() : end].strip("\n")
        found[heading["code"]] = (heading["title"].strip(), body)
    return found


def explain(code: str) -> str:
    """What *code* means, with its example, formatted for a terminal.

    >>> print(explain("e201").splitlines()[0])
    E201: unknown name
    """
    wanted = code.strip().upper()
    known = entries()
    if wanted in known:
        title, body = known[wanted]
        return f"{wanted}: {title}\n\n{_for_terminal(body)}\n"
    if wanted in CODES:  # listed, but with no entry of its own yet
        return f"{wanted}: {CODES[wanted]}\n"
    match = closest(wanted, [*CODES, *known])
    hint = f"did you mean `{match}`? {_LIST_HINT}" if match else _LIST_HINT
    raise DirectiveUsageError(f"unknown code `{code}`", hint=hint)


def explain_list() -> str:
    """Every code with its one-line meaning, one a line.

    >>> explain_list().splitlines()[0]
    'E100  syntax error'
    """
    titles = {code: title for code, (title, _) in entries().items()}
    titles.update(CODES)
    return "".join(f"{code}  {titles[code]}\n" for code in sorted(titles))


def _for_terminal(markdown: str) -> str:
    """Fenced blocks indented by four spaces, without their fences; the rest as written."""
    lines: list[str] = []
    fenced = False
    for line in markdown.splitlines():
        if line.startswith("```"):
            fenced = not fenced
            continue
        lines.append(f"    {line}".rstrip() if fenced else line)
    return re.sub(r"\n{3,}", "\n\n", "\n".join(lines)).strip("\n")
