"""A larger run of generated programs than the test suite's: hypothesmith programs and byte-level
mutations of the rule fixtures, linted in batches, each batch in one restate-lint process under
an address-space limit and a timeout. Prints how many programs ran and every batch that ended in
anything but exit 0 or 1, a traceback, or a limit.

    python benchmarks/fuzz.py --programs 10000 --batch 500 --memory-mib 2048
"""

from __future__ import annotations

import argparse
import random
import resource
import subprocess
import sys
import tempfile
import warnings
from pathlib import Path

import hypothesmith
from hypothesis import HealthCheck, given, settings

FIXTURES = Path(__file__).resolve().parent.parent / "tests" / "fixtures"


def generated(count: int) -> list[str]:
    programs: list[str] = []

    @settings(max_examples=count, deadline=None, database=None, suppress_health_check=list(HealthCheck))
    @given(hypothesmith.from_grammar())
    def collect(source: str) -> None:
        programs.append(source)

    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        collect()
    return programs


def mutated(count: int, seed: int) -> list[bytes]:
    """Fixtures with bytes deleted, duplicated or swapped: near-valid handler code."""
    rng = random.Random(seed)
    sources = [p.read_bytes() for p in sorted(FIXTURES.rglob("*.py"))]
    out = []
    for _ in range(count):
        data = bytearray(rng.choice(sources))
        for _ in range(rng.randint(1, 4)):
            if not data:
                break
            i = rng.randrange(len(data))
            op = rng.randrange(3)
            if op == 0:
                del data[i : i + rng.randint(1, 8)]
            elif op == 1:
                data[i:i] = data[i : i + rng.randint(1, 40)]
            else:
                data[i] = rng.choice(b"()[]{}:\n\r\t \\'\"#,.=-+*")
        out.append(bytes(data))
    return out


def lint_batch(files: list[bytes], memory: int, timeout: int) -> tuple[str, str]:
    with tempfile.TemporaryDirectory() as folder:
        for i, data in enumerate(files):
            (Path(folder) / f"m{i}.py").write_bytes(data)

        def limit() -> None:
            resource.setrlimit(resource.RLIMIT_AS, (memory, memory))

        try:
            done = subprocess.run([sys.executable, "-m", "restate_lint", "--no-cache", "--select", "ALL", "-q", folder], capture_output=True, timeout=timeout, preexec_fn=limit)
        except subprocess.TimeoutExpired:
            return "timeout", ""
        bad = done.returncode not in (0, 1) or b"Traceback" in done.stderr
        return ("exit %d" % done.returncode if bad else "ok"), done.stderr.decode(errors="replace")[-2000:]


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--programs", type=int, default=2000)
    parser.add_argument("--batch", type=int, default=500)
    parser.add_argument("--memory-mib", type=int, default=2048)
    parser.add_argument("--timeout", type=int, default=600)
    parser.add_argument("--seed", type=int, default=0)
    args = parser.parse_args()
    half = args.programs // 2
    programs = [p.encode("utf-8", "surrogatepass") for p in generated(half)] + mutated(args.programs - half, args.seed)
    failures = 0
    for start in range(0, len(programs), args.batch):
        outcome, stderr = lint_batch(programs[start : start + args.batch], args.memory_mib << 20, args.timeout)
        if outcome != "ok":
            failures += 1
            print(f"batch {start}..{start + args.batch}: {outcome}\n{stderr}")
    print(f"{len(programs)} programs ({half} generated, {len(programs) - half} mutated fixtures), {failures} failed batches")


if __name__ == "__main__":
    main()
