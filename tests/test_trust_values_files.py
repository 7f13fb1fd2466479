"""A damaged data file is a located data error that says what is wrong, on every engine.

Gzip's and DuckDB's own wording ("Error -3 while decompressing data", "No magic
bytes found at end of file '/abs/path'") tells a user neither what happened
nor what to do; each kind of damage is named in words, with a hint.
"""

from __future__ import annotations

import gzip
import io
import json
from pathlib import Path
from typing import Any

import pytest

import directive_dsl
from directive_dsl.errors import DirectiveDataError

RULES = """
dataset t
  time year
  dimensions region
  measure v USD
rule s: require t.v >= 5 USD per year
"""

_CSV = b"".join([b"year,region,v\n"] + [f"{2000 + i % 20},R{i % 7},{i}\n".encode() for i in range(20000)])
_GZ = gzip.compress(_CSV, mtime=0)


def _flipped(data: bytes, at: int, mask: int = 0xFF) -> bytes:
    damaged = bytearray(data)
    damaged[at] ^= mask
    damaged[at + 1] ^= mask
    return bytes(damaged)


GZIP_DAMAGE = {
    "cut short": (_GZ[: len(_GZ) // 2], "it ends before its compressed data does (cut short)"),
    "checksum": (_flipped(_GZ, len(_GZ) - 6, 0x55), "its checksum does not match its content"),
    "stream": (_flipped(_GZ, 200), "its compressed data is damaged"),
    "trailing bytes": (_GZ + b"garbage!", "bytes that are not gzip follow its compressed data"),
    "not gzip": (_CSV, "it does not start as a gzip file does"),
}


@pytest.mark.parametrize("damage", sorted(GZIP_DAMAGE))
@pytest.mark.parametrize("kind", ["csv", "jsonl"])
def test_a_damaged_gzip_file_says_what_is_wrong(tmp_path: Path, engine: Any, damage: str, kind: str) -> None:
    data, words = GZIP_DAMAGE[damage]
    if kind == "jsonl":  # the same damage to another format
        rows = [r.split(",") for r in _CSV.decode().splitlines()[1:]]
        text = "".join(json.dumps({"year": int(y), "region": g, "v": int(v)}) + "\n" for y, g, v in rows)
        whole = gzip.compress(text.encode(), mtime=0)
        data = {"cut short": whole[: len(whole) // 2], "checksum": _flipped(whole, len(whole) - 6, 0x55),
                "stream": _flipped(whole, 200), "trailing bytes": whole + b"garbage!",
                "not gzip": text.encode()}[damage]
    path = tmp_path / f"t.{kind}.gz"
    path.write_bytes(data)
    directive = directive_dsl.loads(RULES, filename="t.directive")
    with pytest.raises(DirectiveDataError) as caught:
        directive.evaluate({"t": str(path)}, engine=engine)
    error = caught.value
    assert error.code == "E500" and error.file is not None and error.file.endswith(f"t.{kind}.gz")
    assert error.message.endswith(f"is not a valid gzip file: {words}")
    want = "needs no `.gz`" if damage == "not gzip" else "download or export it again"
    assert want in (error.hint or "")


def _parquet() -> bytes:
    import pyarrow as pa
    import pyarrow.parquet as pq

    buffer = io.BytesIO()
    pq.write_table(pa.table({"year": [2020] * 1000, "region": ["A"] * 1000, "v": [1.0] * 1000}), buffer)
    return buffer.getvalue()


@pytest.mark.parametrize("damage", ["cut short", "empty", "not parquet"])
def test_a_damaged_parquet_file_says_what_is_wrong(tmp_path: Path, engine: Any, damage: str) -> None:
    whole = _parquet()
    data = {"cut short": whole[: len(whole) // 2], "empty": b"", "not parquet": _CSV[:2000]}[damage]
    path = tmp_path / "t.parquet"
    path.write_bytes(data)
    directive = directive_dsl.loads(RULES, filename="t.directive")
    with pytest.raises(DirectiveDataError) as caught:
        directive.evaluate({"t": str(path)}, engine=engine)
    error = caught.value
    assert error.code == "E500"
    assert error.message.endswith("it does not end with Parquet's footer (not Parquet, or cut short)")
    assert error.message.count("t.parquet") == 1  # named once, not again inside DuckDB's words
    assert "exported or downloaded again" in (error.hint or "")


def test_the_command_line_exits_2_on_a_damaged_file(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    from directive_dsl.cli import main

    (tmp_path / "t.csv.gz").write_bytes(GZIP_DAMAGE["cut short"][0])
    (tmp_path / "t.directive").write_text('dataset t from "t.csv.gz"' + RULES.split("dataset t", 1)[1])
    assert main(["check", str(tmp_path / "t.directive")]) == 2
    err = capsys.readouterr().err
    assert "t.csv.gz" in err and "error[E500]" in err and "cut short" in err and "Traceback" not in err
