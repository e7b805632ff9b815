"""A file that takes its worker process down (here: past the worker's memory bound, where
libcst's native parser aborts) is one RST999; every other file is still linted."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import time
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


ORPHANED = """
import os
from pathlib import Path
from restate_lint.config import Settings
from restate_lint.pool import Processes
from restate_lint.project.files import ModuleNames

pool = Processes(2, Settings(), ModuleNames(Path.cwd()))
print(" ".join(str(p.pid) for p in pool.procs), flush=True)
os._exit(0)  # gone without closing the pool: as when killed
"""


def _alive(pid: int) -> bool:
    try:
        state = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()[0]
    except (OSError, IndexError):
        return False
    return state != "Z"


def test_workers_end_when_the_process_that_started_them_is_gone(tmp_path: Path) -> None:
    """Each forked worker closes its copies of the pool's ends of the pipes, so it sees the pool's
    process go (a worker that kept them waited for a task for ever, holding the terminal's pipes)."""
    gone = subprocess.Popen([sys.executable, "-c", ORPHANED], cwd=tmp_path, stdout=subprocess.PIPE, text=True)
    pids = [int(pid) for pid in gone.stdout.readline().split()]
    gone.wait(timeout=60)
    try:
        assert len(pids) == 2
        deadline = time.monotonic() + 60  # an upper bound for a worker to import the parser and stop
        while any(_alive(pid) for pid in pids) and time.monotonic() < deadline:
            time.sleep(0.1)
        assert not any(_alive(pid) for pid in pids)
    finally:
        for pid in filter(_alive, pids):
            os.kill(pid, signal.SIGKILL)
