"""The pre-commit hooks (.pre-commit-hooks.yaml), installed and run by pre-commit itself.

`pre-commit try-repo` installs this repository's committed HEAD into a fresh environment, from
the package registry: uncommitted changes are not part of what it tests.
"""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest

from samples import FIXED, HANDLER

REPO = Path(__file__).resolve().parent.parent

def _run(*args: str, cwd: Path, env: dict) -> subprocess.CompletedProcess:
    return subprocess.run(args, cwd=cwd, env=env, capture_output=True, text=True, timeout=900)


def _head() -> str:
    head = subprocess.run(["git", "-C", str(REPO), "rev-parse", "HEAD"], capture_output=True, text=True)
    if head.returncode != 0:
        pytest.skip("the hooks are installed from a git commit; this is not a git checkout")
    return head.stdout.strip()


def test_manifest_is_valid() -> None:
    run = subprocess.run([sys.executable, "-m", "pre_commit", "validate-manifest", str(REPO / ".pre-commit-hooks.yaml")], capture_output=True, text=True)
    assert run.returncode == 0, run.stdout + run.stderr


@pytest.mark.network
def test_hooks_fail_on_a_bad_handler_then_pass_after_the_fix(tmp_path: Path) -> None:
    ref = _head()
    project = tmp_path / "project"
    project.mkdir()
    env = {
        **os.environ,
        "PRE_COMMIT_HOME": str(tmp_path / "cache"),
        "GIT_AUTHOR_NAME": "t", "GIT_AUTHOR_EMAIL": "t@example.com",
        "GIT_COMMITTER_NAME": "t", "GIT_COMMITTER_EMAIL": "t@example.com",
    }  # fmt: skip
    _run("git", "init", "-q", ".", cwd=project, env=env)
    (project / "greeter.py").write_text(HANDLER)
    _run("git", "add", "greeter.py", cwd=project, env=env)

    def hook(hook_id: str) -> subprocess.CompletedProcess:
        return _run(sys.executable, "-m", "pre_commit", "try-repo", str(REPO), hook_id, "--ref", ref, "--all-files", "--verbose", cwd=project, env=env)

    check = hook("restate-lint")
    assert check.returncode == 1, check.stdout + check.stderr
    assert "greeter.py:10:5: RST202" in check.stdout

    fix = hook("restate-lint-fix")
    assert fix.returncode == 1, fix.stdout + fix.stderr  # pre-commit fails a hook that changed files
    assert "files were modified by this hook" in fix.stdout
    assert (project / "greeter.py").read_text() == FIXED

    _run("git", "add", "greeter.py", cwd=project, env=env)
    for hook_id in ("restate-lint", "restate-lint-fix"):
        again = hook(hook_id)
        assert again.returncode == 0, again.stdout + again.stderr
