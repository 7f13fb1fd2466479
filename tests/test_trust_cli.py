"""Files the command line writes: nothing lost, usual permissions, located errors (SPEC §13.10)."""

from __future__ import annotations

import os
import stat
from pathlib import Path

import pytest

from directive_dsl.cli import main

DIRECTIVE = 'dataset t from "t.csv"\n  time year\nrule r: require t.v >= 5 per year\n'


@pytest.fixture
def folder(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    (tmp_path / "t.csv").write_text("year,v\n2020,7\n")
    (tmp_path / "t.directive").write_text(DIRECTIVE)
    monkeypatch.chdir(tmp_path)
    return tmp_path


def _mode(path: Path) -> int:
    return stat.S_IMODE(path.stat().st_mode)


def test_reports_get_the_usual_permissions(folder: Path) -> None:
    old = os.umask(0o022)
    try:
        assert main(["check", "t.directive", "--output", "report.json"]) == 0
        assert _mode(folder / "report.json") == 0o644
        os.umask(0o002)
        assert main(["check", "t.directive", "--output", "report.json"]) == 0
        assert _mode(folder / "report.json") == 0o664
    finally:
        os.umask(old)


def test_fmt_keeps_the_file_mode(folder: Path) -> None:
    path = folder / "messy.directive"
    path.write_text('dataset t from "t.csv"\nrule r:   require   t.v>=5 per year\n')
    os.chmod(path, 0o640)
    assert main(["fmt", str(path)]) == 0
    assert _mode(path) == 0o640 and "require t.v >= 5 per year" in path.read_text()


def test_output_naming_a_folder(folder: Path, capsys: pytest.CaptureFixture[str]) -> None:
    (folder / "out").mkdir()
    assert main(["check", "t.directive", "--output", "out"]) == 2
    err = capsys.readouterr().err
    assert "error[E700]: cannot write out: it is a folder" in err and "Traceback" not in err


@pytest.mark.skipif(os.geteuid() == 0, reason="root may write into a read-only folder")
def test_output_in_a_read_only_folder(folder: Path, capsys: pytest.CaptureFixture[str]) -> None:
    locked = folder / "locked"
    locked.mkdir()
    os.chmod(locked, 0o500)
    try:
        assert main(["check", "t.directive", "--output", "locked/r.json"]) == 2
        assert "cannot write locked/r.json" in capsys.readouterr().err
    finally:
        os.chmod(locked, 0o700)


def test_output_when_the_folder_refuses(folder: Path, capsys: pytest.CaptureFixture[str],
                                        monkeypatch: pytest.MonkeyPatch) -> None:
    import tempfile

    def refuse(*args: object, **kwargs: object) -> None:
        raise PermissionError(13, "Permission denied")

    monkeypatch.setattr(tempfile, "mkstemp", refuse)
    assert main(["check", "t.directive", "--output", "r.json"]) == 2
    err = capsys.readouterr().err
    assert "cannot write r.json: Permission denied" in err and "Traceback" not in err


def test_a_failed_run_keeps_the_old_report(folder: Path) -> None:
    report = folder / "report.html"
    report.write_text("last month's report")
    (folder / "t.csv").write_text("year,v\n2020,lots\n")
    assert main(["check", "t.directive", "--output", str(report)]) == 2
    assert report.read_text() == "last month's report"
    assert [p.name for p in folder.iterdir() if p.name.startswith(".report")] == []


def test_an_unreadable_cache_is_done_without(folder: Path, monkeypatch: pytest.MonkeyPatch,
                                             capsys: pytest.CaptureFixture[str]) -> None:
    from directive_dsl.engines.sql import cache as sql_cache

    real_is_file = Path.is_file

    def refuse(self: Path) -> bool:
        if "directive_dsl" in self.parts:
            raise PermissionError(13, "Permission denied", str(self))
        return real_is_file(self)

    monkeypatch.setattr(Path, "is_file", refuse)
    monkeypatch.setattr(Path, "mkdir", lambda *a, **k: (_ for _ in ()).throw(PermissionError(13, "no")))
    cache = sql_cache.DiskCache("test", 10)
    assert cache.get("k") is None
    cache.store("k", 1)
    cache._save()  # at exit: nothing written, nothing raised
    monkeypatch.setattr(sql_cache, "_RENDERED", sql_cache.DiskCache("duckdb", 256))
    assert main(["check", "t.directive"]) == 0
    assert "Traceback" not in capsys.readouterr().err


def test_a_cache_folder_that_is_a_file(folder: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    (folder / "cache").write_text("not a folder")
    monkeypatch.setenv("XDG_CACHE_HOME", str(folder / "cache"))
    from directive_dsl.engines.sql import cache as sql_cache

    cache = sql_cache.DiskCache("test", 10)
    assert cache.get("k") is None
    cache.store("k", 1)
    cache._save()


def test_a_cache_that_cannot_be_replaced_leaves_no_temporary_file(
        folder: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("XDG_CACHE_HOME", str(folder / "cache"))
    from directive_dsl.engines.sql import cache as sql_cache

    def refuse(*args: object) -> None:
        raise PermissionError(13, "Permission denied")

    cache = sql_cache.DiskCache("test", 10)
    cache.store("k", 1)
    monkeypatch.setattr(os, "replace", refuse)
    cache._save()
    assert list((folder / "cache" / "directive_dsl").iterdir()) == []
