"""`directive explain`: every code has an entry in docs/errors.md, and every example is real.

Each entry's example is run as its `text` block says, in a fresh folder, and
must print exactly that block: the error codes it raises, the messages, the
carets and the hints.
"""

from __future__ import annotations

import re
import shlex
from pathlib import Path

import attrs
import pytest

from directive_dsl.cli import main
from directive_dsl.errors import CODES
from directive_dsl.explain import entries, explain, explain_list

ROOT = Path(__file__).resolve().parents[1]
NOT_RUNNABLE = "*No runnable example:*"
_CODE_STRING = re.compile(r"""["']([EW][0-9]{3})["']""")
_FENCE = re.compile(r"^```(?P<lang>\S*)\n(?P<body>.*?)^```$", re.MULTILINE | re.DOTALL)
_PRINTED = re.compile(
    r"^(?:\S.*?: )?(?P<severity>error|warning)\[(?P<code>[EW][0-9]{3})\]", re.MULTILINE
)


@attrs.frozen
class Example:
    """The files of an entry's example, the command it runs and what that prints."""

    files: dict[str, str]
    command: list[str]
    printed: str


def example_of(body: str) -> Example | None:
    """The runnable example of an entry, or None when the entry says it has none."""
    files: dict[str, str] = {}
    transcript: str | None = None
    for fence in _FENCE.finditer(body):
        before = body[: fence.start()].rstrip("\n").rsplit("\n", 1)[-1]
        if fence["lang"] == "text":
            transcript = fence["body"]
        elif before.endswith(":") and " " not in before:
            files[before[:-1]] = fence["body"]
    if transcript is None or not transcript.startswith("$ "):
        return None
    command, _, printed = transcript.partition("\n")
    return Example(files=files, command=shlex.split(command[2:]), printed=printed.rstrip("\n"))


def codes_in_source() -> set[str]:
    """Every code written as a string literal anywhere in the package."""
    found: set[str] = set()
    for path in (ROOT / "src" / "directive_dsl").rglob("*.py"):
        found.update(_CODE_STRING.findall(path.read_text(encoding="utf-8")))
    return found


def test_every_code_in_the_source_has_an_entry() -> None:
    codes = codes_in_source() | set(CODES)
    assert len(codes) > 40  # the scan found the codes, not nothing
    assert sorted(codes - set(entries())) == []


def test_every_entry_is_a_known_code() -> None:
    assert sorted(set(entries()) - set(CODES)) == []
    for code, (title, _) in entries().items():
        assert title == CODES[code], code


def test_every_entry_has_an_example_or_says_why_not() -> None:
    for code, (_, body) in entries().items():
        has_example = example_of(body) is not None
        assert has_example != (NOT_RUNNABLE in body), code


RUNNABLE = sorted(code for code, (_, body) in entries().items() if example_of(body) is not None)


@pytest.mark.parametrize("code", RUNNABLE)
def test_example_prints_what_the_entry_shows(
    code: str, tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    example = example_of(entries()[code][1])
    assert example is not None
    folder = tmp_path / "example"
    folder.mkdir()
    for name, text in example.files.items():
        (folder / name).write_text(text, encoding="utf-8")
    monkeypatch.chdir(folder)
    assert example.command[0] == "directive"
    status = main(example.command[1:])
    out, err = capsys.readouterr()
    printed = (err + out).replace(str(folder) + "/", "").replace(str(tmp_path), "..")
    assert printed.rstrip("\n") == example.printed
    raised = {(m["severity"], m["code"]) for m in _PRINTED.finditer(printed)}
    if code.startswith("E"):
        assert raised == {("error", code)}
        assert status == 2
    else:
        assert ("warning", code) in raised
        assert {c for s, c in raised if s == "error"} == set()
        assert status == 0


def test_explain_prints_the_entry_for_a_terminal(capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["explain", "e201"]) == 0
    out = capsys.readouterr().out
    assert out.startswith("E201: unknown name\n\n")
    assert "    require export.value >= 300 million USD per year\n" in out  # the example, indented
    assert "error[E201]: unknown name `export`" in out  # and what it prints
    assert "```" not in out
    assert "#" not in out
    assert out == explain("E201")


def test_unknown_code_suggests_the_closest(capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["explain", "e2o1"]) == 2
    captured = capsys.readouterr()
    assert captured.out == ""
    assert captured.err == (
        "<input>: error[E700]: unknown code `e2o1`\n"
        "   = hint: did you mean `E201`? `directive explain --list` lists every code\n"
    )


def test_list_names_every_code(capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["explain", "--list"]) == 0
    out = capsys.readouterr().out
    assert out == explain_list()
    lines = out.splitlines()
    assert [line.split()[0] for line in lines] == sorted(CODES)
    assert "E509  path not allowed" in lines


def test_explain_needs_a_code_or_list(capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["explain"]) == 2
    assert "error[E700]" in capsys.readouterr().err
