"""The check of a generated handler grows with its length, not with its square: per-finding work
that scanned the rest of the handler or of its block (which draws may follow a draw, which
statements journal after a finding, where a repeated line stands) took a 5,000-line handler 13.7 s.

Counted in Python function calls, not timed: the same for every run on every machine."""

from __future__ import annotations

import sys
from pathlib import Path

from restate_lint.check import lint_model
from restate_lint.config import Settings
from restate_lint.project.files import ModuleNames
from restate_lint.scan import ScannedFile, scan
from restate_lint.worker import build_model


def _handler(draws: int) -> bytes:
    head = ["import random", "import restate", "", "svc = restate.Service('s')", "", "@svc.handler()", "async def h(ctx: restate.Context) -> None:"]
    return ("\n".join(head + ["    x = random.random()"] * draws) + "\n").encode()


def _calls_to_check(draws: int, tmp_path: Path) -> tuple[int, int]:
    """Python function calls made by the check of a handler of `draws` repeated draws, and its findings."""
    path = tmp_path / "generated.py"
    names = ModuleNames(tmp_path)
    names.add(path)
    data = _handler(draws)
    model = build_model(ScannedFile(path, "generated", data, str(draws), scan(data), is_package=False, on_disk=False), names)
    model.bind()
    count = 0

    def counted(frame, event, arg) -> None:
        nonlocal count
        count += event == "call"

    sys.setprofile(counted)
    try:
        found = lint_model(model, Settings(select=("ALL",)), path, [])
    finally:
        sys.setprofile(None)
    return count, len(found)


def test_a_handler_twice_as_long_costs_twice_as_much_to_check(tmp_path: Path) -> None:
    small, large = _calls_to_check(200, tmp_path), _calls_to_check(400, tmp_path)
    assert (small[1], large[1]) == (200, 400)  # one RST101 per draw
    assert large[0] < 2.3 * small[0], (small, large)  # square growth made it 2.7
