"""Discovery on trees built to trap it: loops, FIFOs, devices, projects with no root, folders
named explicitly though ignored."""

from __future__ import annotations

import os
from pathlib import Path

from harness import HANDLER, HANDLER_FINDING, findings, lint

from restate_lint.config import Settings
from restate_lint.lsp.session import ProjectIndex
from restate_lint.workspace import projects


def plant_traps(folder: Path) -> None:
    (folder / "self_loop.py").symlink_to("self_loop.py")
    (folder / "a.py").symlink_to("b.py")
    (folder / "b.py").symlink_to("a.py")
    (folder / "dir_loop").symlink_to("dir_loop")
    (folder / "sub").mkdir()
    (folder / "sub" / "up").symlink_to("..")
    (folder / "zero.py").symlink_to("/dev/zero")
    os.mkfifo(folder / "fifo.py")


def test_loops_fifos_and_devices_are_skipped_when_walking(tmp_path: Path) -> None:
    plant_traps(tmp_path)
    (tmp_path / ".git").mkdir()
    os.mkfifo(tmp_path / ".gitignore")
    (tmp_path / "sub" / ".gitignore").symlink_to("/dev/zero")
    (tmp_path / "ok.py").write_text(HANDLER)
    done = lint("--format", "concise", str(tmp_path), cwd=tmp_path)
    assert done.returncode == 1, done.stderr
    assert b"Traceback" not in done.stderr
    assert findings(done) == {"ok.py": {HANDLER_FINDING}}


def test_a_loop_or_a_fifo_named_explicitly_is_one_line_and_exit_2(tmp_path: Path) -> None:
    plant_traps(tmp_path)
    for name, why in (("self_loop.py", "symbolic links"), ("fifo.py", "not a regular file"), ("zero.py", "not a regular file")):
        done = lint(name, cwd=tmp_path)
        assert done.returncode == 2, (name, done.stderr)
        lines = done.stderr.decode().splitlines()
        assert len(lines) == 1 and lines[0].startswith(f"restate-lint: error: {name}: ") and why in lines[0], lines


def test_a_loose_file_does_not_walk_its_folder_tree(tmp_path: Path, monkeypatch) -> None:
    (tmp_path / "deep" / "er").mkdir(parents=True)
    (tmp_path / "deep" / "er" / "far.py").write_text(HANDLER)
    (tmp_path / "loose.py").write_text(HANDLER)
    monkeypatch.chdir(tmp_path)
    [project] = projects([tmp_path / "loose.py"], lambda root: Settings(root=root))
    assert [p.name for p in project.files] == ["loose.py"]
    # the language server, for a buffer in a folder with no pyproject.toml (`/`, say)
    assert [p.name for p in ProjectIndex.build(tmp_path).files] == ["loose.py"]


def test_a_folder_named_explicitly_is_linted_though_ignored(tmp_path: Path) -> None:
    (tmp_path / ".git").mkdir()
    (tmp_path / ".gitignore").write_text("gen/\n")
    for name in ("gen/h.py", "gen/skip.py", "build/h.py"):
        (tmp_path / name).parent.mkdir(exist_ok=True)
        (tmp_path / name).write_text(HANDLER)
    (tmp_path / "gen" / ".gitignore").write_text("skip.py\n")
    done = lint("--format", "concise", "gen", "build", cwd=tmp_path)
    assert done.returncode == 1, done.stderr
    found = {line.split(":")[0] for line in done.stdout.decode().splitlines()}
    assert found == {"gen/h.py", "build/h.py"}
