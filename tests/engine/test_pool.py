"""The worker pool imports the parser once: its first worker forks the others after importing it.
They answer as workers the pool started itself would, and each is lost and replaced alone."""

from __future__ import annotations

import os
import signal
import time
from multiprocessing.connection import wait
from pathlib import Path

import pytest

from samples import HANDLER
from restate_lint.config import Settings
from restate_lint.runner import Workers, lint_paths


def _project(root: Path) -> Path:
    root.mkdir()
    (root / "pyproject.toml").write_text("[tool.restate-lint]\n")
    for n in range(6):  # more tasks than two workers hold in flight: both get some
        (root / f"greeter_{n}.py").write_text(HANDLER.replace('"greeter"', f'"greeter_{n}"'))
    return root


def _found(root: Path, **how) -> list[tuple]:
    result = lint_paths([root], Settings(root=root), **how)
    return [(d.filename, d.start, d.code, d.message) for d in result.diagnostics]


def _parent(pid: int) -> int:
    return int(Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()[1])


def _known(workers: Workers) -> list[int]:
    deadline = time.monotonic() + 60
    while not all(p.pid for p in workers.pool.procs) and time.monotonic() < deadline:
        time.sleep(0.01)
    return [p.pid for p in workers.pool.procs]


@pytest.fixture
def ran(tmp_path: Path, request):
    """A project, its findings from one process, and two workers that have linted it (the same)."""
    root = _project(tmp_path / "p")
    plain = _found(root, jobs=1)
    workers = Workers(2, start_method=getattr(request, "param", None))
    try:
        assert _found(root, workers=workers) == plain
        yield root, plain, workers
    finally:
        workers.close()


pytestmark = pytest.mark.skipif(not Path("/proc/self/stat").exists(), reason="workers are forked by the first one on Linux only")


@pytest.mark.parametrize("ran", [None, "spawn"], ids=["fork", "spawn"], indirect=True)
def test_the_first_worker_forks_the_second_and_both_answer(ran) -> None:
    _, _, workers = ran
    first, second = _known(workers)
    assert _parent(second) == first
    assert set(workers.pool.owner.values()) == {0, 1}  # both summarised files, and checked them


def test_each_worker_lost_between_runs_is_replaced_alone(ran) -> None:
    root, plain, workers = ran
    first, second = _known(workers)
    sibling = workers.pool.procs[1]
    os.kill(first, signal.SIGKILL)
    assert wait([workers.pool.procs[0].sentinel], timeout=30)  # the pool sees it end: no sibling holds that open
    assert _found(root, workers=workers) == plain
    assert workers.pool.procs[0].pid != first
    assert workers.pool.procs[1] is sibling and sibling.is_alive()  # the first's end is not its own
    os.kill(second, signal.SIGKILL)
    sibling.join(timeout=30)
    assert _found(root, workers=workers) == plain
    assert workers.pool.procs[1].pid not in (second, None)
    workers.close()
    assert not sibling.is_alive()
