"""A file that takes its worker process down (here: past the worker's memory bound, where
libcst's native parser aborts) is one RST999; every other file is still linted."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

EXAMPLES = Path(__file__).resolve().parents[2] / "examples"


def test_a_file_that_kills_its_worker_is_one_rst999(tmp_path: Path) -> None:
    (tmp_path / "pyproject.toml").write_text("[tool.restate-lint]\n")
    (tmp_path / "big.py").write_text("import restate\n" + "".join(f'value_{i} = [{i}, "{i}", ({i}, {i})]\n' for i in range(60_000)))
    (tmp_path / "checkout.py").write_bytes((EXAMPLES / "checkout.py").read_bytes())
    env = {**os.environ, "RESTATE_LINT_WORKER_MEMORY_MB": "700"}
    run = subprocess.run([sys.executable, "-m", "restate_lint", "--no-cache", "--format", "concise", "."], cwd=tmp_path, env=env, capture_output=True, text=True, timeout=300)
    assert run.returncode == 1, run.stderr
    lines = run.stdout.splitlines()
    assert [line for line in lines if line.startswith("big.py")] == [
        "big.py:1:1: RST999 File cannot be parsed (not analysed: the parser crashed on it, or ran out of the 700 MiB a worker may use"
        " (RESTATE_LINT_WORKER_MEMORY_MB)); nothing else was checked in it"
    ]
    assert {line.split(":")[3].split()[0] for line in lines if line.startswith("checkout.py")} >= {"RST101", "RST202", "RST502"}
    assert "Traceback" not in run.stderr
