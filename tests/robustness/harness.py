"""restate-lint run as a user runs it, in a subprocess under a memory limit and a time limit: a
native crash, a runaway or a hang fails the test instead of taking the suite down."""

from __future__ import annotations

import re
import resource
import subprocess
import sys
from pathlib import Path
from typing import Optional

MEMORY = 2 << 30  # bytes of address space per process
TIMEOUT = 180  # seconds: a safety net, not a measurement

HANDLER = 'import restate\n\nsvc = restate.Service("svc")\n\n\n@svc.handler()\ndef sync(ctx: restate.Context) -> None:\n    pass\n'
_CONCISE = re.compile(r"^(?P<name>.+?):(?P<row>\d+):\d+: (?P<code>RST\d{3}) ", re.MULTILINE)
HANDLER_FINDING = (7, "RST304")  # where HANDLER's one diagnostic is


def _limit() -> None:
    resource.setrlimit(resource.RLIMIT_AS, (MEMORY, MEMORY))


def lint(*args: str, cwd: Path, stdin: bytes = b"", env: Optional[dict] = None) -> subprocess.CompletedProcess:
    return subprocess.run(
        [sys.executable, "-m", "restate_lint", "--no-cache", *args],
        cwd=cwd, input=stdin, capture_output=True, timeout=TIMEOUT, preexec_fn=_limit, env=env,
    )


def findings(done: subprocess.CompletedProcess) -> dict[str, set[tuple[int, str]]]:
    """`--format concise` output: file name -> {(row, code)}."""
    found: dict[str, set[tuple[int, str]]] = {}
    for match in _CONCISE.finditer(done.stdout.decode(errors="replace")):
        found.setdefault(Path(match["name"]).name, set()).add((int(match["row"]), match["code"]))
    return found
