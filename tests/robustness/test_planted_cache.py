"""A cache shipped in the linted repository is never trusted: its entries are not unpickled
(that would run its code) and its FIFOs are not read."""

from __future__ import annotations

import os
import pickle
import subprocess
import sys
from pathlib import Path

from harness import HANDLER, HANDLER_FINDING, TIMEOUT, findings


class _Trap:
    def __init__(self, marker: str):
        self.marker = marker

    def __reduce__(self):
        return (open, (self.marker, "w"))  # unpickling it creates the marker file


def lint_cached(folder: Path) -> subprocess.CompletedProcess:
    return subprocess.run([sys.executable, "-m", "restate_lint", "--format", "concise", "."], cwd=folder, capture_output=True, timeout=TIMEOUT)


def test_a_planted_cache_runs_nothing_and_blocks_nothing(tmp_path: Path) -> None:
    (tmp_path / "pyproject.toml").write_text("[project]\nname = 'app'\n")
    (tmp_path / "h.py").write_text(HANDLER)
    marker = tmp_path.parent / f"{tmp_path.name}-PWNED"
    lint_cached(tmp_path)  # writes the entries a repository would plant (their names are content hashes)
    entries = sorted(p for p in (tmp_path / ".restate-lint-cache").rglob("*") if p.is_file() and p.parent.name != ".restate-lint-cache")
    assert len(entries) > 1
    for entry in entries[1:]:
        entry.write_bytes(pickle.dumps(_Trap(str(marker))))
    entries[0].unlink()
    os.mkfifo(entries[0])
    done = lint_cached(tmp_path)
    assert done.returncode == 1, done.stderr
    assert findings(done) == {"h.py": {HANDLER_FINDING}}
    assert not marker.exists(), "restate-lint unpickled an entry the linted repository planted"
