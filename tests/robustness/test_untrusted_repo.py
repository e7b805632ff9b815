"""Linting a repository never runs anything it configures, and reads its ignore rules in-process."""

from __future__ import annotations

import shutil
import subprocess
import sys
from pathlib import Path

import pytest

from restate_lint.lsp.session import ProjectIndex

HANDLER = "import restate\n\nsvc = restate.Service('svc')\n\n\n@svc.handler()\nasync def h(ctx: restate.Context) -> float:\n    import time\n    return time.time()\n"


def plant_traps(repo: Path, marker: Path) -> None:
    """A git repository whose config and hooks would touch `marker` if git ran any of them."""
    subprocess.run(["git", "init", "-q", str(repo)], check=True)
    trap = repo / "trap.sh"
    trap.write_text(f"#!/bin/sh\ntouch '{marker}'\n")
    trap.chmod(0o755)
    config = repo / ".git" / "config"
    config.write_text(
        config.read_text()
        + f"[core]\n\tfsmonitor = {trap}\n\thooksPath = {repo / '.git' / 'hooks'}\n\tpager = {trap}\n"
        + f"[alias]\n\tls-files = !{trap}\n\trev-parse = !{trap}\n\tstatus = !{trap}\n"
    )
    hooks = repo / ".git" / "hooks"
    hooks.mkdir(exist_ok=True)
    for hook in ("post-checkout", "post-index-change", "pre-commit", "reference-transaction"):
        shutil.copy(trap, hooks / hook)
    (repo / "h.py").write_text(HANDLER)
    subprocess.run(["git", "-C", str(repo), "-c", "core.fsmonitor=false", "-c", "core.hooksPath=/dev/null", "add", "h.py"], check=True)
    marker.unlink(missing_ok=True)


@pytest.mark.skipif(shutil.which("git") is None, reason="needs git to build the planted repository")
def test_linting_a_repository_runs_nothing_it_configures(tmp_path: Path) -> None:
    repo, marker = tmp_path / "repo", tmp_path / "PWNED"
    plant_traps(repo, marker)
    done = subprocess.run([sys.executable, "-m", "restate_lint", str(repo)], capture_output=True, text=True, timeout=120)
    assert done.returncode == 1, done.stderr
    assert "RST101" in done.stdout
    ProjectIndex.build(repo)  # what the language server does when one of its files is opened
    assert not marker.exists(), "restate-lint ran a program the linted repository configured"


def test_gitignore_rules_are_honoured_in_process(tmp_path: Path) -> None:
    (tmp_path / ".git" / "info").mkdir(parents=True)
    (tmp_path / ".git" / "info" / "exclude").write_text("local_only.py\n")
    (tmp_path / ".gitignore").write_text("gen/\n*_pb2.py\n!keep_pb2.py\n")
    (tmp_path / "pkg").mkdir()
    (tmp_path / "pkg" / ".gitignore").write_text("scratch.py\n!/gen_ok.py\n")
    for name in ("a.py", "local_only.py", "x_pb2.py", "keep_pb2.py", "gen/g.py", "pkg/scratch.py", "pkg/b.py", "scratch.py"):
        (tmp_path / name).parent.mkdir(parents=True, exist_ok=True)
        (tmp_path / name).write_text(HANDLER)
    done = subprocess.run([sys.executable, "-m", "restate_lint", "--format", "concise", str(tmp_path)], capture_output=True, text=True, timeout=120, cwd=tmp_path)
    linted = {Path(line.split(":")[0]).relative_to(tmp_path).as_posix() for line in done.stdout.splitlines() if "RST101" in line}
    assert linted == {"a.py", "keep_pb2.py", "pkg/b.py", "scratch.py"}
