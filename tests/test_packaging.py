"""What a user installs: the wheel and sdist hold the rule pages, an installed wheel reads them,
and the README's install and pre-commit instructions work as written."""

from __future__ import annotations

import os
import re
import subprocess
import sys
import tarfile
import zipfile
from pathlib import Path

import pytest

from restate_lint.registry import RULES
from samples import HANDLER

REPO = Path(__file__).resolve().parent.parent
README = (REPO / "README.md").read_text(encoding="utf-8")


@pytest.fixture(scope="module")
def dist(tmp_path_factory: pytest.TempPathFactory) -> Path:
    out = tmp_path_factory.mktemp("dist")
    # no isolation: the build backend (hatchling, in the test extra) is the one installed
    proc = subprocess.run([sys.executable, "-m", "build", "--no-isolation", "--sdist", "--wheel", "--outdir", str(out), str(REPO)], capture_output=True, text=True, timeout=600)
    assert proc.returncode == 0, proc.stdout + proc.stderr
    return out


def test_wheel_and_sdist_hold_every_rule_page(dist: Path) -> None:
    [wheel] = dist.glob("restate_lint-*.whl")
    [sdist] = dist.glob("restate_lint-*.tar.gz")
    with zipfile.ZipFile(wheel) as z:
        names = set(z.namelist())
        assert {f"restate_lint/_docs/{code}.md" for code in RULES} <= names
        assert z.read("restate_lint/_docs/RST201.md").decode() == (REPO / "docs" / "rules" / "RST201.md").read_text(encoding="utf-8")
        assert not any(n.startswith(("tests/", "node_modules/")) for n in names)
    with tarfile.open(sdist) as t:
        top = t.getnames()[0].split("/")[0]
        assert {f"{top}/docs/rules/{code}.md" for code in RULES} <= set(t.getnames())


def test_an_installed_wheel_reads_its_own_rule_pages(dist: Path, tmp_path: Path) -> None:
    [wheel] = dist.glob("restate_lint-*.whl")
    target = tmp_path / "site"
    # the wheel alone; its dependencies come from this environment
    subprocess.run([sys.executable, "-m", "pip", "install", "-q", "--no-deps", "--target", str(target), str(wheel)], check=True, timeout=300)
    assert not (target / "docs").exists()  # so the page can only come from the wheel's _docs
    env = {**os.environ, "PYTHONPATH": str(target)}
    where = subprocess.run([sys.executable, "-c", "import restate_lint; print(restate_lint.__file__)"], cwd=tmp_path, env=env, capture_output=True, text=True, check=True)
    assert Path(where.stdout.strip()).is_relative_to(target)
    shown = subprocess.run([sys.executable, "-m", "restate_lint", "rule", "RST304"], cwd=tmp_path, env=env, capture_output=True, text=True, timeout=120)
    assert shown.returncode == 0, shown.stderr
    assert shown.stdout == (REPO / "docs" / "rules" / "RST304.md").read_text(encoding="utf-8") + "\n"


def _block_after(heading: str, language: str) -> str:
    section = README.split(heading, 1)[1]
    return re.search(rf"```{language}\n(.*?)```", section, re.DOTALL).group(1)


def test_readme_install_does_not_need_the_package_index_name() -> None:
    install = README.split("## Install", 1)[1].split("\n## ", 1)[0]
    commands = re.findall(r"^pip install .*$", install, re.MULTILINE)
    assert commands and all("restate-lint" not in c or "@ git+" in c or "when" in c for c in commands), commands
    assert "pip install ." in install and ".whl" in install


def test_readme_pre_commit_snippet_works_as_written(tmp_path: Path) -> None:
    """The snippet, copied from the README into a new repository, run by pre-commit: it fails on a
    bad handler with the one-line diagnostics, and passes once it is fixed."""
    config = _block_after("## pre-commit", "yaml")
    project = tmp_path / "project"
    project.mkdir()
    env = {
        **os.environ,
        "PATH": f"{Path(sys.executable).parent}{os.pathsep}{os.environ['PATH']}",  # restate-lint, installed
        "PRE_COMMIT_HOME": str(tmp_path / "cache"),
        "GIT_AUTHOR_NAME": "t", "GIT_AUTHOR_EMAIL": "t@example.com",
        "GIT_COMMITTER_NAME": "t", "GIT_COMMITTER_EMAIL": "t@example.com",
    }  # fmt: skip

    def run(*args: str) -> subprocess.CompletedProcess:
        return subprocess.run(args, cwd=project, env=env, capture_output=True, text=True, timeout=600)

    run("git", "init", "-q", ".")
    (project / ".pre-commit-config.yaml").write_text(config)
    (project / "greeter.py").write_text(HANDLER)
    run("git", "add", ".")
    failed = run(sys.executable, "-m", "pre_commit", "run", "--all-files")
    assert failed.returncode == 1, failed.stdout + failed.stderr
    assert "greeter.py:10:5: RST202" in failed.stdout
    (project / "greeter.py").write_text(HANDLER.replace("    ctx.sleep(", "    await ctx.sleep("))
    run("git", "add", ".")
    passed = run(sys.executable, "-m", "pre_commit", "run", "--all-files")
    assert passed.returncode == 0, passed.stdout + passed.stderr
