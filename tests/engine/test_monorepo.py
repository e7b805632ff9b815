"""A monorepo of several projects: each file is linted with its own project's settings and its
own project's modules, whatever the order of the paths (pre-commit passes them all at once)."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest

from test_pre_commit import REPO, _head, _run

HANDLER = """\
import time

import restate

svc = restate.Service("{name}")


@svc.handler()
async def stamp(ctx: restate.Context) -> float:
    return time.time()
"""


def monorepo(root: Path) -> tuple[Path, Path]:
    """`svc/` ignores RST101 in its own config; `other/` is a plain project."""
    (root / "svc").mkdir(parents=True)
    (root / "other").mkdir()
    (root / "svc" / "pyproject.toml").write_text('[project]\nname = "svc"\n\n[tool.restate-lint]\nignore = ["RST101"]\n')
    (root / "other" / "pyproject.toml").write_text('[project]\nname = "other"\n')
    (root / "svc" / "h.py").write_text(HANDLER.format(name="Svc"))
    (root / "other" / "a.py").write_text(HANDLER.format(name="Other"))
    return root / "svc" / "h.py", root / "other" / "a.py"


def lint(*paths: str, cwd: Path) -> subprocess.CompletedProcess:
    return subprocess.run([sys.executable, "-m", "restate_lint", "--format", "concise", *paths], cwd=cwd, capture_output=True, text=True, timeout=300)


@pytest.mark.parametrize("order", [("svc/h.py", "other/a.py"), ("other/a.py", "svc/h.py"), (".",)], ids=["svc-first", "other-first", "walk"])
def test_each_file_takes_its_own_projects_settings(tmp_path: Path, order: tuple) -> None:
    monorepo(tmp_path)
    run = lint(*order, cwd=tmp_path)
    assert run.returncode == 1, run.stderr
    assert [line.split(":")[0] for line in run.stdout.splitlines() if "RST101" in line] == ["other/a.py"]


def test_imports_resolve_within_each_project(tmp_path: Path) -> None:
    """Two projects each with a `helpers` module: a handler's call reaches its own project's one."""
    for project, body in (("quiet", "def now():\n    return 1\n"), ("loud", "import time\n\n\ndef now():\n    return time.time()\n")):
        (tmp_path / project).mkdir()
        (tmp_path / project / "pyproject.toml").write_text(f'[project]\nname = "{project}"\n\n[tool.restate-lint]\n')
        (tmp_path / project / "helpers.py").write_text(body)
        (tmp_path / project / "h.py").write_text(HANDLER.replace("import time\n", "from helpers import now\n").replace("time.time()", "now()").format(name=project))
    run = lint(".", cwd=tmp_path)
    assert [line.split(":")[0] for line in run.stdout.splitlines() if "RST107" in line] == ["loud/h.py"], run.stdout + run.stderr


@pytest.mark.network
def test_the_pre_commit_hook_gives_each_file_its_settings(tmp_path: Path) -> None:
    ref = _head()
    project = tmp_path / "repo"
    env = {**os.environ, "PRE_COMMIT_HOME": str(tmp_path / "cache"), "GIT_AUTHOR_NAME": "t", "GIT_AUTHOR_EMAIL": "t@example.com", "GIT_COMMITTER_NAME": "t", "GIT_COMMITTER_EMAIL": "t@example.com"}
    _run("git", "init", "-q", str(project), cwd=tmp_path, env=env)
    monorepo(project)
    _run("git", "add", ".", cwd=project, env=env)
    run = _run(sys.executable, "-m", "pre_commit", "try-repo", str(REPO), "restate-lint", "--ref", ref, "--all-files", "--verbose", cwd=project, env=env)
    assert run.returncode == 1, run.stdout + run.stderr
    assert "other/a.py:10:12: RST101" in run.stdout
    assert "svc/h.py" not in run.stdout
