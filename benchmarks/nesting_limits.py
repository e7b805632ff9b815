"""Where libcst's native parser crashes or runs away on deep chains, and how deep real code goes:
the measurements behind MAX_LINKS and MAX_BRACKETS in restate_lint/nesting.py.

    python benchmarks/nesting_limits.py limits [KIND ...]   # libcst on each chain at growing lengths
    python benchmarks/nesting_limits.py real DIR ...         # the deepest path in real code, per file

Each probe parses in a child process under a 4 GiB address-space limit and a 60 s timeout, and
prints the outcome (ok, the exception, the signal that killed it), seconds and peak MiB.
"""

from __future__ import annotations

import json
import resource
import subprocess
import sys
import time
from pathlib import Path

CHAINS = {
    "unary": lambda n: "x = " + "-" * n + "1\n",
    "not": lambda n: "x = " + "not " * n + "a\n",
    "power": lambda n: "x = " + "**".join(["2"] * n) + "\n",
    "attribute": lambda n: "x = a" + ".b" * n + "\n",
    "lambda": lambda n: "x = " + "lambda: " * n + "1\n",
    "conditional": lambda n: "x = " + "1 if c else " * n + "1\n",
    "plus": lambda n: "x = " + "+".join(["1"] * n) + "\n",
    "minus": lambda n: "x = " + "-1" * n + "\n",
    "subscript": lambda n: "x = a" + "[0]" * n + "\n",
    "call": lambda n: "x = f" + "()" * n + "\n",
    "and": lambda n: "x = " + " and ".join(["a"] * n) + "\n",
    "paren": lambda n: "x = " + "(" * n + "1" + ")" * n + "\n",
    "dict": lambda n: "x = " + "{1: " * n + "1" + "}" * n + "\n",
    "strings": lambda n: "x = (" + " ".join(['"a"'] * n) + ")\n",
}
LENGTHS = (100, 200, 500, 1000, 2000, 4000, 8000)


def _child(kind: str, n: int) -> None:
    resource.setrlimit(resource.RLIMIT_AS, (4 << 30, 4 << 30))
    sys.setrecursionlimit(10_000)  # as the linter's workers do
    import libcst

    start = time.perf_counter()
    try:
        libcst.parse_module(CHAINS[kind](n))
        outcome = "ok"
    except Exception as exc:  # noqa: BLE001 - reporting what happened is the point
        outcome = type(exc).__name__
    print(json.dumps([outcome, round(time.perf_counter() - start, 2), resource.getrusage(resource.RUSAGE_SELF).ru_maxrss // 1024]))


def limits(kinds: list[str]) -> None:
    for kind in kinds or CHAINS:
        for n in LENGTHS:
            try:
                done = subprocess.run([sys.executable, __file__, "child", kind, str(n)], capture_output=True, text=True, timeout=60)
                outcome = done.stdout.strip() or f"killed (exit {done.returncode})"
            except subprocess.TimeoutExpired:
                outcome = "timeout (60 s)"
            print(f"{kind:<12} {n:>5}  {outcome}", flush=True)


def real(folders: list[str]) -> None:
    from restate_lint import nesting
    from restate_lint.source import ParseFailure

    texts = [(f, f.read_text(errors="replace")) for folder in folders for f in sorted(Path(folder).rglob("*.py"))]
    print(f"{len(texts)} files")
    for limit in (50, 100, 150, 200, 300, 500):
        nesting.MAX_LINKS = limit
        over = []
        for path, text in texts:
            try:
                nesting._check(text)
            except ParseFailure as failure:
                if "expression" in str(failure):
                    over.append(f"{path}:{failure.row}")
        print(f"deeper than {limit}: {len(over)} {over[:5]}")


if __name__ == "__main__":
    if sys.argv[1:2] == ["child"]:
        _child(sys.argv[2], int(sys.argv[3]))
    elif sys.argv[1:2] == ["real"]:
        real(sys.argv[2:])
    else:
        limits(sys.argv[2:])
