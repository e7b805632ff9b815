"""A source file is read only while it is a regular file of a bounded size."""

from __future__ import annotations

import os
import stat
import subprocess
import sys
from pathlib import Path

import pytest

from restate_lint import runner

HANDLER = "import restate\n\nsvc = restate.Service('svc')\n\n\n@svc.handler()\nasync def h(ctx: restate.Context) -> float:\n    import time\n    return time.time()\n"


def test_a_huge_file_is_one_rst999_and_is_not_read_whole(tmp_path: Path) -> None:
    (tmp_path / "pyproject.toml").write_text("[tool.restate-lint]\n")
    with open(tmp_path / "huge.py", "wb") as f:
        f.truncate(17 << 20)  # sparse: 17 MiB of NUL bytes
    (tmp_path / "h.py").write_text(HANDLER)
    run = subprocess.run([sys.executable, "-m", "restate_lint", "--no-cache", "--format", "concise", "huge.py", "h.py"], cwd=tmp_path, capture_output=True, text=True, timeout=120)
    assert run.returncode == 1, run.stderr
    assert [line for line in run.stdout.splitlines() if line.startswith("huge.py")] == ["huge.py:1:1: RST999 File cannot be parsed (cannot read file: larger than 16 MiB); nothing else was checked in it"]
    assert "h.py:9:12: RST101" in run.stdout


def _grown(monkeypatch, path: Path, seen: int) -> None:
    """The file as if it had been `seen` bytes long when its size was asked, and grew before the read."""
    real = os.fstat

    def fstat(fd: int) -> os.stat_result:
        found = list(real(fd))
        found[stat.ST_SIZE] = seen
        return os.stat_result(found)

    monkeypatch.setattr(runner.os, "fstat", fstat)


def test_a_file_that_grows_while_it_is_read_is_read_whole(tmp_path: Path, monkeypatch) -> None:
    path = tmp_path / "h.py"
    path.write_text(HANDLER)
    _grown(monkeypatch, path, 10)
    assert runner.read_source(path)[0] == HANDLER.encode()


def test_a_file_that_grows_past_the_bound_while_it_is_read_is_not_read(tmp_path: Path, monkeypatch) -> None:
    path = tmp_path / "huge.py"
    with open(path, "wb") as f:
        f.truncate(runner.MAX_SOURCE_BYTES + 10)
    _grown(monkeypatch, path, 10)
    with pytest.raises(OSError, match="larger than 16 MiB"):
        runner.read_source(path)
