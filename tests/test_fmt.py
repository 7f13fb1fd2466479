"""The formatter: golden layouts, comments kept where they stand, and properties over generated directives."""

from __future__ import annotations

import re
import shutil
from pathlib import Path
from typing import Any

import pytest
from hypothesis import HealthCheck, assume, given, settings
from hypothesis import strategies as st
from hypothesis.extra.lark import from_lark
from lark import Lark
from lark.lexer import PatternStr

import directive_dsl
from directive_dsl import DirectiveError, DirectiveSyntaxError, parse
from directive_dsl.fmt import check_formatted, format_file, format_source
from directive_dsl.fmt.tokens import comments, lex
from directive_dsl.parser import grammar_text

ROOT = Path(__file__).resolve().parents[1]
EXAMPLE = ROOT / "examples" / "belarus_china" / "belarus_china.directive"


def fmt(text: str) -> str:
    return format_source(text)


# ---------------------------------------------------------------- golden layouts

GOLDEN = [
    pytest.param(
        'directive   "T"  period 2026 to 2030 source "S"   owner "O"',
        'directive "T"\n  period 2026 to 2030\n  source "S"\n  owner "O"\n',
        id="header-clauses",
    ),
    pytest.param(
        'dataset  trade from "trade.csv" time year dimensions partner,product measure value'
        " million USD aggregate last measure q kg",
        'dataset trade from "trade.csv"\n  time year\n  dimensions partner, product\n'
        "  measure value million USD aggregate last\n  measure q kg\n",
        id="dataset-from-on-head",
    ),
    pytest.param(
        'dataset trade time year from "trade.csv"',
        'dataset trade\n  time year\n  from "trade.csv"\n',
        id="dataset-from-later-stays-a-clause",
    ),
    pytest.param(
        'dataset x from "x.csv"  with delimiter";",decimal  ",",encoding "cp1251" , header 2 time month',
        'dataset x from "x.csv" with delimiter ";", decimal ",", encoding "cp1251", header 2\n'
        "  time month\n",
        id="dataset-file-options",
    ),
    pytest.param(
        "dataset d measure w = a*b+c",
        "dataset d\n  measure w = a * b + c\n",
        id="derived-measure",
    ),
    pytest.param(
        'rule fdi "FDI":require fdi>=500 million USD per year',
        'rule fdi "FDI":\n  require fdi >= 500 million USD per year\n',
        id="rule-head",
    ),
    pytest.param(
        '@severity   warning @source "para 2" require x >= 10%',
        '@severity warning\n@source "para 2"\nrequire x >= 10%\n',
        id="annotations-one-per-line",
    ),
    pytest.param(
        "require x between 1 and 2 per year from 2027 to 2030",
        "require x between 1 and 2 per year from 2027 to 2030\n",
        id="between-per-from-to",
    ),
    pytest.param(
        "require share(a,b)>=10% by 2030 from 4.1% in 2025",
        "require share(a, b) >= 10% by 2030 from 4.1% in 2025\n",
        id="by-stated-baseline",
    ),
    pytest.param(
        "require x at 2019 <= x in 2027-Q2",
        "require x at 2019 <= x in 2027-Q2\n",
        id="at-and-in-period",
    ),
    pytest.param("require  x>0   in   total", "require x > 0 in total\n", id="in-total"),
    pytest.param('dataset  x from "x.csv"\n  time year\n  measure v USD\n  fill   0\n  as  of  2026-06',
                 'dataset x from "x.csv"\n  time year\n  measure v USD\n  fill 0\n  as of 2026-06\n',
                 id="fill-and-as-of"),
    pytest.param('dataset e\n  dimensions uom\n  measure  q   unit   from  uom aggregate last\nunit  pcs',
                 'dataset e\n  dimensions uom\n  measure q unit from uom aggregate last\n\nunit pcs\n',
                 id="unit-from"),
    pytest.param("require  x>0   in   total  from 2026  to 2030", "require x > 0 in total from 2026 to 2030\n",
                 id="in-total-sub-window"),
    pytest.param(
        "let x = ((a + b)) * (c) - (d - e) / -(f)",
        "let x = (a + b) * c - (d - e) / -f\n",
        id="only-needed-parentheses",
    ),
    pytest.param(
        "let x = a - (b + c) + (d * e)",
        "let x = a - (b + c) + d * e\n",
        id="right-operand-of-same-precedence-keeps-parentheses",
    ),
    pytest.param(
        'require x[(a = "1" or b = "2") and not (c > -3), region, d not in ["x"]] > 0',
        'require x[(a = "1" or b = "2") and not c > -3, region, d not in ["x"]] > 0\n',
        id="conditions",
    ),
    pytest.param(
        "let x = `Trade Value (US$)` + `total` + `year` + plain",
        "let x = `Trade Value (US$)` + `total` + `year` + plain\n",
        id="backticks-for-odd-names-and-keywords",
    ),
    pytest.param(
        "dataset `my data` time `year` dimensions `per`, `x` measure `total`",
        "dataset `my data`\n  time year\n  dimensions per, x\n  measure total\n",
        id="keywords-bare-where-only-a-name-fits",
    ),
    pytest.param(
        'let s = ["a\\"b", "tab\\there", "\\u0041\\u00e9", "é—"]',
        'let s = ["a\\"b", "tab\\there", "Aé", "é—"]\n',
        id="strings-re-escaped",
    ),
    pytest.param(
        "let n = [150_000_000, 1.50, 150e6, 10 %, -5 kt, 300 USD/t]",
        "let n = [150_000_000, 1.50, 150e6, 10%, -5 kt, 300 USD/t]\n",
        id="numbers-as-written",
    ),
    pytest.param(
        'unit kt=1000 t unit tourists import "a.directive" domain region=["A","B"]',
        'unit kt = 1000 t\nunit tourists\nimport "a.directive"\ndomain region = ["A", "B"]\n',
        id="one-line-declarations-stay-together",
    ),
    pytest.param(
        'waive  fdi [ region="Mogilev"  and not kind in ["x"] ]until 2027-Q2   because "Flood"\n'
        'waive cn because "Superseded"',
        'waive fdi[region = "Mogilev" and not kind in ["x"]] until 2027-Q2 because "Flood"\n'
        'waive cn because "Superseded"\n',
        id="waivers-on-one-line-each",
    ),
    pytest.param("", "", id="empty"),
]


@pytest.mark.parametrize(("source", "expected"), GOLDEN)
def test_golden(source: str, expected: str) -> None:
    assert fmt(source) == expected
    assert fmt(expected) == expected


def test_a_comment_between_file_options_keeps_them_under_their_clause() -> None:
    text = 'dataset x from "x.xlsx" with sheet 2, # the second sheet\n header 3\n time month'
    assert fmt(text) == ('dataset x\n  from "x.xlsx" with sheet 2,  # the second sheet\n'
                         "    header 3\n  time month\n")


def test_long_list_fills_lines() -> None:
    codes = ", ".join(f'"C{i:02d}"' for i in range(40))
    out = fmt(f"let LDC = [{codes}]")
    lines = out.splitlines()
    assert lines[0] == "let LDC = ["
    assert lines[-1] == "]"
    assert all(len(line) <= 88 for line in lines)
    assert all(line.startswith('  "') for line in lines[1:-1])
    assert len(lines) < 10


def test_long_call_hugs_the_operator() -> None:
    source = (
        'rule r "R":\n  require share(exports.value[partner = "CN", product = "0402", mode = "sea"], '
        'exports.value[product = "0402"]) >= 10% by 2030 from 4.1% in 2025\n'
    )
    assert fmt(source) == (
        'rule r "R":\n'
        "  require share(\n"
        '    exports.value[partner = "CN", product = "0402", mode = "sea"],\n'
        '    exports.value[product = "0402"]\n'
        "  ) >= 10% by 2030 from 4.1% in 2025\n"
    )


def test_long_sum_breaks_before_operators() -> None:
    source = (
        'require investments.amount[partner = "CN", kind = "direct"] + '
        'investments.amount[partner = "HK", kind = "direct"] >= 150 million USD per year'
    )
    assert fmt(source) == (
        'require investments.amount[partner = "CN", kind = "direct"]\n'
        '  + investments.amount[partner = "HK", kind = "direct"]\n'
        "  >= 150 million USD per year\n"
    )


def test_long_time_clause_moves_to_the_next_line() -> None:
    source = (
        "require share(exports_to_china_by_sea_and_by_air, all_exports_of_the_country) "
        ">= 10% by 2030 from 4.1% in 2025"
    )
    assert fmt(source) == (
        "require share(exports_to_china_by_sea_and_by_air, all_exports_of_the_country) >= 10%\n"
        "  by 2030 from 4.1% in 2025\n"
    )


def test_long_waiver_puts_each_clause_on_a_line() -> None:
    source = (
        'waive fdi_regions[region in ["Mogilev", "Gomel"]] until 2027 '
        'because "Flood recovery after the spring of 2026, Council decision 12/2026"'
    )
    expected = (
        'waive fdi_regions[region in ["Mogilev", "Gomel"]]\n'
        "  until 2027\n"
        '  because "Flood recovery after the spring of 2026, Council decision 12/2026"\n'
    )
    assert fmt(source) == expected
    assert fmt(expected) == expected


def test_long_dimensions_wrap() -> None:
    names = ", ".join(f"dimension_number_{i}" for i in range(8))
    out = fmt(f"dataset d dimensions {names}")
    lines = out.splitlines()
    assert lines[1].startswith("  dimensions dimension_number_0, ")
    assert lines[2].startswith("    dimension_number_")
    assert all(len(line) <= 88 for line in lines)


# ---------------------------------------------------------------- blank lines


def test_blocks_are_set_apart_and_declarations_keep_the_authors_grouping() -> None:
    source = (
        'directive "T"\ndataset d\n  time year\nlet a = 1\nlet b = 2\n\n\n\nlet c = 3\n'
        "rule r:\n  require a > 1\nrequire b > 1\n"
    )
    assert fmt(source) == (
        'directive "T"\n\ndataset d\n  time year\n\nlet a = 1\nlet b = 2\n\nlet c = 3\n\n'
        # the unnamed rule keeps as near its line (its id) as blank lines allow
        "rule r:\n  require a > 1\nrequire b > 1\n"
    )


def test_blank_lines_around_comments_are_kept_but_never_doubled() -> None:
    source = "# file comment\n\n\n\n# about a\nlet a = 1\n# about b\n\nlet b = 2\n\n\n# the end\n"
    assert fmt(source) == (
        "# file comment\n\n# about a\nlet a = 1\n# about b\n\nlet b = 2\n\n# the end\n"
    )


def test_comment_before_a_block_gets_the_blank_line_before_it() -> None:
    source = "let a = 1\n# the rule\nrule r:\n  require a > 1\n"
    assert fmt(source) == "let a = 1\n\n# the rule\nrule r:\n  require a > 1\n"


# ---------------------------------------------------------------- comments

COMMENTED = """\
# Top of the file.

directive "T"  # the title
  # the window
  period 2026 to 2030

dataset d  # after the name
  from "d.csv"
  # the time column
  time year
  measure v USD  # a measure

let EU = [
  "AT",  # Austria
  # Belgium next
  "BE"
]
let x = (
  # inside parentheses
  a + b) * 2  # after the statement

@severity warning  # soft
# between annotations
@source "s"
rule r "R":  # after the head
  # before require
  require x[
    partner = "CN",  # China
    kind
  ] >= 5 USD  # after the check
    # before the time clause
    per year
# the end
"""


def test_every_comment_is_kept_in_order() -> None:
    out = fmt(COMMENTED)
    assert comments(out) == comments(COMMENTED)
    assert parse(out) == parse(COMMENTED)
    assert fmt(out) == out


def test_comments_stay_where_they_stand() -> None:
    out = fmt(COMMENTED).splitlines()
    assert out[0] == "# Top of the file."
    assert 'directive "T"  # the title' in out
    assert out[out.index('directive "T"  # the title') + 1] == "  # the window"
    assert '  "AT",  # Austria' in out
    assert "  # Belgium next" in out
    assert "  # before require" in out
    assert '    partner = "CN",  # China' in out
    assert out[-1] == "# the end"


def test_trailing_comment_after_a_bracket_keeps_the_list_flat() -> None:
    assert fmt("let x = f(a, b  # note\n)\n") == "let x = f(a, b)  # note\n"


def test_own_line_comment_breaks_a_list() -> None:
    assert fmt('let x = ["a",\n# b follows\n"b"]') == 'let x = [\n  "a",\n  # b follows\n  "b"\n]\n'


def test_comment_only_file() -> None:
    assert fmt("#a\n\n\n  #b  \n") == "#a\n\n#b\n"


def test_hash_inside_strings_and_names_is_not_a_comment() -> None:
    source = 'let x = `a # b` + 1  # real\nrequire y[p = "#"] > 0\n'
    assert comments(source) == ["# real"]
    assert comments(fmt(source)) == ["# real"]


def test_crlf_and_bom() -> None:
    assert fmt("\ufefflet  x = 1\r\n# c\r\nlet y = 2\r\n") == "let x = 1\n# c\nlet y = 2\n"


@settings(max_examples=60, deadline=None, suppress_health_check=list(HealthCheck))
@given(st.data())
def test_comments_anywhere_in_the_example(data: st.DataObject) -> None:
    """A comment dropped between any two tokens survives, in order, and the result is stable."""
    text = EXAMPLE.read_text(encoding="utf-8")
    tokens = lex(text)
    gaps = data.draw(st.lists(st.integers(0, len(tokens)), min_size=1, max_size=6, unique=True))
    pieces: list[str] = []
    last = 0
    for number, gap in enumerate(sorted(gaps)):
        at = (tokens[gap - 1].end_pos or 0) if gap else 0
        own_line = data.draw(st.booleans())
        pieces += [text[last:at], f"\n# c{number}\n" if own_line else f"  # c{number}\n"]
        last = at
    source = "".join([*pieces, text[last:]])
    out = fmt(source)
    assert comments(out) == comments(source)
    assert parse(out) == parse(source)
    assert fmt(out) == out


# ---------------------------------------------------------------- errors and the command


def test_syntax_error_raises_and_formats_nothing() -> None:
    with pytest.raises(DirectiveSyntaxError) as caught:
        format_source("let x = 1\nrequire >= 3", "bad.directive")
    assert caught.value.file == "bad.directive"
    assert caught.value.line == 2


def test_check_formatted() -> None:
    assert check_formatted("let x = 1\n")
    assert not check_formatted("let x=1\n")


def test_format_file(tmp_path: Path) -> None:
    good = tmp_path / "good.directive"
    bad = tmp_path / "bad.directive"
    good.write_text("let x = 1\n", encoding="utf-8")
    bad.write_text("let  x=1", encoding="utf-8")
    assert not format_file(good, check=True)
    assert format_file(bad, check=True)
    assert bad.read_text(encoding="utf-8") == "let  x=1"
    assert format_file(bad)
    assert bad.read_text(encoding="utf-8") == "let x = 1\n"
    assert not format_file(bad)
    broken = tmp_path / "broken.directive"
    broken.write_text("let x = = 1\n", encoding="utf-8")
    with pytest.raises(DirectiveSyntaxError):
        format_file(broken)
    assert broken.read_text(encoding="utf-8") == "let x = = 1\n"
    with pytest.raises(DirectiveError):
        format_file(tmp_path / "missing.directive")


def test_deep_nesting() -> None:
    depth = 150
    source = "let x = " + "a - (" * depth + "b" + ")" * depth
    out = fmt(source)
    assert parse(out) == parse(source)
    assert fmt(out) == out


# ---------------------------------------------------------------- generated directives


def _generated() -> st.SearchStrategy[str]:
    """Directives drawn from the project's grammar, tokens spaced so that more of them parse."""
    grammar = Lark(grammar_text(), parser="lalr", lexer="contextual")
    explicit: dict[str, st.SearchStrategy[str]] = {
        "WS": st.sampled_from([" ", "\n", "\n\n\n", "\t"]),
        "COMMENT": st.from_regex(r"#[^\n]{0,6}", fullmatch=True).map(lambda s: s + "\n"),
        "NAME": st.from_regex(r"[a-z_][a-z0-9_]{0,3}", fullmatch=True).map(lambda s: s + " "),
        "QUOTED_NAME": st.from_regex(r"`[^`\n]{1,5}`", fullmatch=True),
        "STRING": st.from_regex(r'"([^"\\\n]|\\[nt"\\]|\\u00[2-7][0-9a-f]){0,5}"', fullmatch=True),
    }
    for terminal in grammar.terminals:
        if terminal.name in explicit:
            continue
        if isinstance(terminal.pattern, PatternStr):
            explicit[terminal.name] = st.just(terminal.pattern.value + " ")
        else:
            pattern = terminal.pattern.to_regexp()
            explicit[terminal.name] = st.from_regex(pattern, fullmatch=True).map(lambda s: s + " ")
    return from_lark(grammar, start="start", explicit=explicit)


def _parses(text: str) -> directive_dsl.nodes.Module | None:
    try:
        return parse(text)
    except DirectiveError:
        return None


@settings(max_examples=100, deadline=None, suppress_health_check=list(HealthCheck))
@given(_generated())
def test_generated_round_trip(text: str) -> None:
    tree = _parses(text)
    assume(tree is not None)
    out = fmt(text)
    assert parse(out) == tree
    assert fmt(out) == out
    assert comments(out) == comments(text)


# ---------------------------------------------------------------- same report before and after


def _report(directive: directive_dsl.CheckedDirective, data: dict[str, Any] | None) -> Any:
    report = directive.evaluate(data, engine="python").to_dict(include_passing=True)
    return _without_places(report)


def _without_places(value: Any) -> Any:
    """The report without source locations (formatting moves lines, and unnamed rules are named by line),
    the rules as written (formatting rewrites how they are written) and the run block (its time, and the
    hash of a file formatting rewrote)."""
    if isinstance(value, dict):
        return {k: _without_places(v) for k, v in value.items() if k not in ("location", "file", "formula", "run")}
    if isinstance(value, list):
        return [_without_places(v) for v in value]
    if isinstance(value, str):
        return re.sub(r"^([\w.<>-]+):\d+$", r"\1:N", value)
    return value


def test_example_gives_the_same_report(tmp_path: Path) -> None:
    folder = tmp_path / "example"
    shutil.copytree(EXAMPLE.parent, folder)
    copy = folder / EXAMPLE.name
    before = _report(directive_dsl.load(copy), None)
    assert format_file(copy) in (True, False)
    after = _report(directive_dsl.load(copy), None)
    assert before == after
    assert check_formatted(copy.read_text(encoding="utf-8"))


TRADE = [
    {"year": 2026, "partner": "CN", "product": "0402", "value": 6.0, "qty": 1200.0},
    {"year": 2026, "partner": "DE", "product": "0402", "value": 3.0, "qty": 800.0},
    {"year": 2026, "partner": "CN", "product": "8703", "value": 9.0, "qty": 5.0},
    {"year": 2027, "partner": "CN", "product": "0402", "value": 4.0, "qty": 900.0},
    {"year": 2027, "partner": "FR", "product": "0402", "value": 7.5, "qty": 2100.0},
    {"year": 2027, "partner": "CN", "product": "8703", "value": 11.0, "qty": 7.0},
]

SMALL_DIRECTIVES = [
    """directive "Trade"  period 2026 to 2027
dataset trade time year dimensions partner, product
  measure value million USD   measure qty kg
unit kt = 1000 t
let EU=["DE","FR"]   # members
let cn = trade.value[partner = "CN"]
rule cn_min "China":require cn>=10 million USD per year
@severity warning
rule eu "EU" : require trade.value[partner in EU, product] > (cn[product] - 1 million USD) * 0.5 per year
require share(cn, trade.value) between 40% and 90% in total
rule dairy "Dairy in tonnes": require trade.qty[partner = "CN", product = "0402"] >= 1 kt by 2027 from 0.5 kt in 2025
""",
    """# growth and change
directive "Growth" period 2027 to 2027
dataset trade
  time year
  dimensions partner,
    product
  measure value USD
require growth(trade.value[partner = "CN"]) >= -50% per year
require change(trade.value[product = "0402"]) > -(2 USD) per year  # a fall of at most 2
rule mix "mixed": require trade.value[not (partner = "CN" or partner = "DE")] at 2027 >= 1 USD in 2027
""",
]


@pytest.mark.parametrize("text", SMALL_DIRECTIVES)
def test_small_directives_give_the_same_report(text: str) -> None:
    before = _report(directive_dsl.loads(text), {"trade": TRADE})
    out = fmt(text)
    assert out != text
    after = _report(directive_dsl.loads(out), {"trade": TRADE})
    assert before == after
    assert before["summary"]["outcomes"] > 0


def test_formatting_keeps_the_ids_of_unnamed_rules() -> None:
    """Unnamed rules are called `<stem>:<line>`: formatting must not rename them."""
    from directive_dsl import loads

    text = (
        "dataset t\n  time year\n  measure v\n\n\n\n"
        "require t.v>=1 per year\n# why the next target\nrequire   t.v >= 2 per year\n"
        'rule named "x": require t.v>=3 per year\n\n\n\nrequire t.v >= 4 per year\n'
    )
    formatted = format_source(text, "t.directive")
    assert format_source(formatted, "t.directive") == formatted
    before = [r.id for r in loads(text, "t.directive").rules]
    after = [r.id for r in loads(formatted, "t.directive").rules]
    assert before == after == ["t:7", "t:9", "named", "t:14"]
