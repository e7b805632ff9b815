"""`--fix` keeps what it does not mean to change: line endings, owner, hard links; it does not
write through links out of the linted folders, and a kill while writing leaves no temp files."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
from pathlib import Path

import pytest
from harness import HANDLER, TIMEOUT, lint

FIXED = HANDLER.replace("def sync", "async def sync")
# RST502's unsafe fix inserts lines: they must take the file's line ending
RERAISE = (
    "import restate\n\nsvc = restate.Service('svc')\n\n\n@svc.handler()\nasync def h(ctx: restate.Context) -> None:\n"
    "    try:\n        await ctx.sleep(1)\n    except Exception as e:\n        pass\n"
)


def test_a_cr_only_file_stays_cr_only(tmp_path: Path) -> None:
    path = tmp_path / "h.py"
    path.write_bytes(RERAISE.replace("\n", "\r").encode())
    done = lint("--fix", "--unsafe-fixes", "h.py", cwd=tmp_path)
    assert done.returncode == 0, done.stderr
    after = path.read_bytes()
    assert b"raise" in after and b"\n" not in after


@pytest.mark.skipif(os.geteuid() != 0, reason="giving a file to another owner needs root")
def test_fix_keeps_the_owner(tmp_path: Path) -> None:
    path = tmp_path / "h.py"
    path.write_text(HANDLER)
    os.chown(path, 1234, 5678)
    assert lint("--fix", "h.py", cwd=tmp_path).returncode == 0
    assert path.read_text() == FIXED
    assert (path.stat().st_uid, path.stat().st_gid) == (1234, 5678)


def test_fix_keeps_hard_links(tmp_path: Path) -> None:
    (tmp_path / "repo").mkdir()
    path = tmp_path / "repo" / "h.py"
    path.write_text(HANDLER)
    os.link(path, tmp_path / "other_name.py")
    assert lint("--fix", ".", cwd=tmp_path / "repo").returncode == 0
    assert (tmp_path / "other_name.py").read_text() == FIXED
    assert path.stat().st_ino == (tmp_path / "other_name.py").stat().st_ino


def test_a_link_out_of_the_linted_folders_is_written_only_when_asked(tmp_path: Path) -> None:
    (tmp_path / "repo").mkdir()
    outside = tmp_path / "home" / "target.py"
    outside.parent.mkdir()
    outside.write_text(HANDLER)
    (tmp_path / "repo" / "h.py").symlink_to(outside)
    done = lint("--fix", ".", cwd=tmp_path / "repo")
    assert done.returncode == 2
    assert outside.read_text() == HANDLER
    assert "h.py: not fixed, it is a link to" in done.stderr.decode() and "--fix-symlinks" in done.stderr.decode()
    assert lint("--fix", "--fix-symlinks", ".", cwd=tmp_path / "repo").returncode == 0
    assert outside.read_text() == FIXED


# the fixer, killed (SIGTERM) at the moment its temporary file is flushed to disk
KILLED_WHILE_WRITING = """
import os, signal, sys
real_fsync = os.fsync
def fsync(fd):
    os.kill(os.getpid(), signal.SIGTERM)
    real_fsync(fd)
os.fsync = fsync
from restate_lint.cli import main
main(["--no-cache", "--fix", "h.py"])
"""


def test_a_kill_while_writing_leaves_no_temporary_file(tmp_path: Path) -> None:
    path = tmp_path / "h.py"
    path.write_text(HANDLER)
    done = subprocess.run([sys.executable, "-c", KILLED_WHILE_WRITING], cwd=tmp_path, capture_output=True, timeout=TIMEOUT)
    assert done.returncode == -signal.SIGTERM, done.stderr
    assert sorted(p.name for p in tmp_path.iterdir()) == ["h.py"]
    assert path.read_text() == FIXED  # the kill waited for the write
