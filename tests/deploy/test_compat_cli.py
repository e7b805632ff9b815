"""`restate-lint compat` end to end on a git repository: revisions read without touching the work
tree or running anything the repository configures; formats, exit codes and suppressions as for
`check`."""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

pytestmark = pytest.mark.skipif(shutil.which("git") is None, reason="git is not installed")

FIXTURES = Path(__file__).resolve().parents[1] / "fixtures"
PAIR = FIXTURES / "RST805" / "invalid_operation_inserted"
ENV = dict(os.environ, GIT_CONFIG_GLOBAL=os.devnull, GIT_CONFIG_NOSYSTEM="1", GIT_AUTHOR_NAME="t", GIT_AUTHOR_EMAIL="t@t",
           GIT_COMMITTER_NAME="t", GIT_COMMITTER_EMAIL="t@t")


def git(repo: Path, *args: str) -> str:
    return subprocess.run(["git", "-C", str(repo), *args], check=True, capture_output=True, text=True, env=ENV).stdout


def lint(cwd: Path, *args: str) -> subprocess.CompletedProcess:
    return subprocess.run([sys.executable, "-m", "restate_lint", *args], cwd=cwd, capture_output=True, text=True)


@pytest.fixture
def repo(tmp_path: Path) -> Path:
    """v1 committed under svc/, v2 in the working tree."""
    root = tmp_path / "repo"
    (root / "svc").mkdir(parents=True)
    git(root, "init", "-q")
    shutil.copy(PAIR / "v1" / "app.py", root / "svc" / "app.py")
    git(root, "add", ".")
    git(root, "commit", "-qm", "v1")
    shutil.copy(PAIR / "v2" / "app.py", root / "svc" / "app.py")
    return root


def test_against_a_revision_reports_at_the_new_line(repo: Path) -> None:
    done = lint(repo, "compat", "--no-config", "--against", "HEAD", "--output-format", "concise", "svc")
    assert done.returncode == 1, done.stderr
    assert done.stdout.startswith("svc/app.py:20:") and "RST805" in done.stdout and "HEAD:app.py:20" in done.stdout, done.stdout


def test_formats_exit_codes_and_noqa(repo: Path) -> None:
    found = json.loads(lint(repo, "compat", "--no-config", "--against", "HEAD", "--format", "json", "svc").stdout)
    assert [(d["code"], d["location"]["row"], d["filename"]) for d in found] == [("RST805", 20, "svc/app.py")]
    sarif = json.loads(lint(repo, "compat", "--no-config", "--against", "HEAD", "--format", "sarif", "svc").stdout)
    assert sarif["runs"][0]["results"][0]["ruleId"] == "RST805"
    assert lint(repo, "compat", "--no-config", "--against", "HEAD", "--exit-zero", "svc").returncode == 0
    assert lint(repo, "compat", "--no-config", "--against", "HEAD", "--ignore", "RST805", "svc").returncode == 0
    app = repo / "svc" / "app.py"
    lines = app.read_text().split("\n")
    lines[19] = lines[19].replace("  # expect: RST805", "  # noqa: RST805")
    app.write_text("\n".join(lines))
    done = lint(repo, "compat", "--no-config", "--against", "HEAD", "--output-format", "concise", "svc")
    assert done.returncode == 0 and not done.stdout, done.stdout


def test_two_revisions_a_saved_manifest_and_a_bare_repository(repo: Path, tmp_path: Path) -> None:
    git(repo, "commit", "-qam", "v2")
    done = lint(repo, "compat", "--no-config", "--against", "HEAD~1", "--revision", "HEAD", "svc")
    assert done.returncode == 1 and "RST805" in done.stdout, done.stdout + done.stderr
    manifest = tmp_path / "v1.json"
    manifest.write_text(lint(PAIR / "v1", "manifest", "--no-config", ".").stdout)
    assert "RST805" in lint(repo, "compat", "--no-config", "--against", str(manifest), "svc").stdout
    bare = tmp_path / "bare.git"
    subprocess.run(["git", "clone", "-q", "--bare", str(repo), str(bare)], check=True, env=ENV)
    done = lint(tmp_path, "compat", "--no-config", "--git-dir", str(bare), "--against", "HEAD~1", "--revision", "HEAD", "svc")
    assert done.returncode == 1 and "svc/app.py:20" in done.stdout, done.stdout + done.stderr


def test_unknown_revision_is_one_error_line(repo: Path) -> None:
    for revision in ("no-such-branch", "--output=/tmp/x"):
        done = lint(repo, "compat", "--no-config", "--against", revision, "svc")
        assert done.returncode == 2 and done.stderr.count("\n") == 1, done.stderr


def test_nothing_the_repository_configures_runs_and_the_work_tree_is_untouched(repo: Path, tmp_path: Path) -> None:
    marker = tmp_path / "ran"
    script = tmp_path / "hook.sh"
    script.write_text(f"#!/bin/sh\ntouch {marker}\n")
    script.chmod(0o755)
    for key in ("core.fsmonitor", "core.pager", "core.sshCommand", "credential.helper", "diff.external"):
        git(repo, "config", key, str(script))
    git(repo, "config", "filter.evil.smudge", str(script))
    git(repo, "config", "core.hooksPath", str(tmp_path))
    (tmp_path / "post-checkout").write_bytes(script.read_bytes())
    (tmp_path / "post-checkout").chmod(0o755)
    (repo / ".gitattributes").write_text("*.py filter=evil\n")
    status = git(repo, "status", "--porcelain")  # refreshes the index: before the snapshot
    before = {p: p.stat().st_mtime_ns for p in [*repo.rglob("*")] if p.is_file()}
    marker.unlink(missing_ok=True)  # `git status` above may have run the fsmonitor: only ours counts
    assert lint(repo, "compat", "--no-config", "--against", "HEAD", "svc").returncode == 1
    assert not marker.exists()
    assert {p: p.stat().st_mtime_ns for p in [*repo.rglob("*")] if p.is_file()} == before
    assert git(repo, "status", "--porcelain") == status


@pytest.mark.parametrize("text", ['{"services": [1]}', '{"services": [{"name": "A", "handlers": [{"x": 1}]}]}', '[]', 'not json'])
def test_malformed_saved_manifest_is_one_error_line(tmp_path: Path, text: str) -> None:
    saved = tmp_path / "old.json"
    saved.write_text(text)
    done = lint(PAIR / "v2", "compat", "--no-config", "--against", str(saved), ".")
    assert done.returncode == 2 and done.stderr.count("\n") == 1 and "not a manifest" in done.stderr, done.stderr
