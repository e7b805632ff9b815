"""How fast restate-lint is, whole-process, next to a bare `libcst.parse_module` of the same files.

    python benchmarks/bench.py                 # full run: 100k-line mixed repo, 300-module dense project
    python benchmarks/bench.py --quick         # small inputs, one repeat: a smoke test
    python benchmarks/bench.py --only lsp --repeat 5 --json > lsp.json

Every figure is the wall time of a fresh `python -m restate_lint` process (or of the language
server's answer), the median of N repeats. The repeats are interleaved: each cycle runs the bare
parse baseline and then every measure once, so a slow spell of this noisy machine hits the
baseline as much as the measure; compare ratios within one run, not absolute figures across runs.

Flags the engine may or may not have yet (`--jobs`, `--no-cache`, `--cache-dir`, `clean`) are
detected from `--help`; the measures that need a missing one are reported as n/a.
"""

from __future__ import annotations

import argparse
import compileall
import json
import os
import platform
import re
import shutil
import statistics
import subprocess
import sys
import tempfile
import threading
import time
from collections import defaultdict
from dataclasses import dataclass
from pathlib import Path
from typing import Optional

HERE = Path(__file__).resolve().parent
REPO = HERE.parent
sys.path.insert(0, str(HERE))

import inputs as gen  # noqa: E402
from lsp_client import LspClient, LspError, publish_for  # noqa: E402

CACHE_DIR_NAME = ".restate-lint-cache"
MEASURES = ("cold", "warm", "changed", "no-cache", "jobs", "one-file", "memory", "lsp")
LSP_TIMEOUT = 300.0  # seconds for any one answer; the server is killed after it


@dataclass
class Run:
    seconds: float
    max_rss_mib: float  # the largest single process of the tree (what wait4 reports)
    returncode: int
    stdout: str
    stderr: str
    tree_rss_mib: Optional[float] = None  # summed over the process tree, sampled


class TreeRss(threading.Thread):
    """Samples the summed RSS of a process and its descendants (a process pool's workers are
    separate processes: wait4's max RSS is only the largest one)."""

    PAGE = os.sysconf("SC_PAGE_SIZE")

    def __init__(self, pid: int, interval: float = 0.05) -> None:
        super().__init__(daemon=True)
        self.pid, self.interval, self.peak, self.done = pid, interval, 0, threading.Event()
        self.start()

    def run(self) -> None:
        while not self.done.wait(self.interval):
            self.peak = max(self.peak, self.sample())

    def sample(self) -> int:
        parent, rss = {}, {}
        for entry in os.scandir("/proc"):
            if entry.name.isdigit():
                try:
                    fields = Path(entry.path, "stat").read_text().rsplit(")", 1)[1].split()
                except (OSError, IndexError):
                    continue  # exited meanwhile
                pid = int(entry.name)
                parent[pid], rss[pid] = int(fields[1]), int(fields[21]) * self.PAGE
        tree, grew = {self.pid}, True
        while grew:
            grown = tree | {pid for pid, ppid in parent.items() if ppid in tree}
            tree, grew = grown, len(grown) > len(tree)
        return sum(rss.get(pid, 0) for pid in tree)


def run(cmd: list[str], cwd: Path, env: dict, sample_tree: bool = False) -> Run:
    """Run `cmd` to the end; wall time and max RSS of exactly this child (os.wait4)."""
    with tempfile.TemporaryFile() as out, tempfile.TemporaryFile() as err:
        start = time.perf_counter()
        proc = subprocess.Popen(cmd, cwd=cwd, env=env, stdin=subprocess.DEVNULL, stdout=out, stderr=err)
        sampler = TreeRss(proc.pid) if sample_tree else None
        _, status, usage = os.wait4(proc.pid, 0)
        seconds = time.perf_counter() - start
        proc.returncode = os.waitstatus_to_exitcode(status)  # reaped here, so Popen must not wait
        tree = None
        if sampler is not None:
            sampler.done.set()
            sampler.join()
            tree = max(sampler.peak, usage.ru_maxrss * 1024) / 2**20
        out.seek(0)
        err.seek(0)
        return Run(seconds, usage.ru_maxrss / 1024, proc.returncode, out.read().decode(errors="replace"), err.read().decode(errors="replace"), tree)


class Cli:
    """`python -m restate_lint` of this checkout, and which of the new flags it has."""

    def __init__(self) -> None:
        # as installed (pip compiles a package's bytecode): an environment with
        # PYTHONDONTWRITEBYTECODE would otherwise compile every module on every run
        compileall.compile_dir(REPO / "restate_lint", quiet=1)
        self.base = [sys.executable, "-m", "restate_lint"]
        self.env = {k: v for k, v in os.environ.items() if k != "RESTATE_LINT_CACHE_DIR"}
        self.env["PYTHONPATH"] = os.pathsep.join([str(REPO), *filter(None, [os.environ.get("PYTHONPATH")])])
        main_help, check_help = self.help("--help"), self.help("check", "--help")
        # an option of `check` goes after it; one only the top-level command has, before it
        self.global_flags = {flag for flag in ("--jobs", "--no-cache", "--cache-dir") if flag in main_help and flag not in check_help}
        self.supports = {flag: flag in main_help + check_help for flag in ("--jobs", "--no-cache", "--cache-dir")}
        self.supports["clean"] = re.search(r"^\s+clean\b", main_help, re.M) is not None
        self.cached = self.supports["--no-cache"] or self.supports["--cache-dir"] or self.supports["clean"]
        self.version = self.help("--version").strip()

    def check(self, flags: list[str], target: str) -> list[str]:
        """The command line of `check` with `flags` (each one token: `--name` or `--name=value`)."""
        top = [f for f in flags if f.split("=")[0] in self.global_flags]
        return [*self.base, *top, "check", *[f for f in flags if f not in top], target]

    def help(self, *args: str) -> str:
        done = subprocess.run([*self.base, *args], env=self.env, capture_output=True, text=True, cwd=REPO)
        return done.stdout if done.returncode == 0 else ""

    def env_for(self, cache: Path) -> dict:
        return {**self.env, "RESTATE_LINT_CACHE_DIR": str(cache)}


def median(values: list[float]) -> Optional[float]:
    return statistics.median(values) if values else None


class ProjectBench:
    """The measures on one generated project, its samples, and the cache state between them."""

    def __init__(self, cli: Cli, inputs: gen.Inputs, select: str, lsp_edits: int, log) -> None:
        self.cli, self.inputs, self.select, self.lsp_edits, self.log = cli, inputs, select, lsp_edits, log
        self.cache = inputs.root / CACHE_DIR_NAME
        self.env = cli.env_for(self.cache)
        self.samples: dict[str, list[float]] = defaultdict(list)
        self.rss: dict[str, list[float]] = defaultdict(list)
        self.findings: dict[str, int] = {}
        self.problems: list[str] = []
        self.notes: dict[str, str] = {}
        self.warm = False  # a whole-project run has filled the cache since it was last emptied
        self.edits = 0
        # the language server reads its rules from the project's config: the same ones as the
        # command line's --select, so that a warm session finds the command line's cache entries
        selectors = ", ".join(f'"{s.strip()}"' for s in select.split(",") if s.strip())
        pyproject = inputs.root / "pyproject.toml"
        if "[tool.restate-lint]" not in pyproject.read_text():
            pyproject.write_text(pyproject.read_text() + f"\n[tool.restate-lint]\nselect = [{selectors}]\n")
        self.lists = {}
        lists = {"all": inputs.files, "one": [inputs.changed]} | ({"lsp": [inputs.lsp_file]} if inputs.lsp_file else {})
        for name, files in lists.items():
            self.lists[name] = inputs.root.parent / f"{inputs.name}-{name}.files"
            self.lists[name].write_text("".join(f"{f}\n" for f in files))

    # -- primitives --------------------------------------------------------------------
    def record(self, row: str, result: Run) -> None:
        self.samples[row].append(result.seconds)
        self.rss[row].append(result.tree_rss_mib or result.max_rss_mib)
        self.log(f"  {self.inputs.name}: {row:<34} {result.seconds:7.2f} s  {result.max_rss_mib:6.0f} MiB")

    def parse(self, files: str) -> None:
        result = run([sys.executable, str(HERE / "parse_files.py"), str(self.lists[files])], self.inputs.root, self.env)
        if result.returncode:
            raise SystemExit(f"bare parse failed:\n{result.stderr}")
        self.record(f"parse {files}", result)
        self.samples[f"parse {files} in-process"].append(json.loads(result.stdout)["seconds"])

    def clear(self) -> None:
        shutil.rmtree(self.cache, ignore_errors=True)
        self.warm = False

    def lint(self, row: Optional[str], *flags: str, target: Optional[Path] = None, sample_tree: bool = False) -> Run:
        cache_flags = [f"--cache-dir={self.cache}"] if self.cli.supports["--cache-dir"] and "--no-cache" not in flags else []
        cmd = self.cli.check([f"--select={self.select}", "--format=concise", *cache_flags, *flags], str(target or "."))
        result = run(cmd, self.inputs.root, self.env, sample_tree)
        if result.returncode not in (0, 1) or "Traceback (most recent call last)" in result.stderr:  # a crash exits with 1 too
            self.problems.append(f"{row or 'priming run'}: exit code {result.returncode}: {result.stderr.strip()[-500:]}")
        if target is None and "--no-cache" not in flags:
            self.warm = self.cli.cached
        if row is not None:
            self.record(row, result)
            self.findings[row] = result.stdout.count("\n")
        return result

    def prime(self) -> None:
        """Fill the cache with a whole-project run, unless it is full already (or there is none)."""
        if self.cli.cached and not self.warm:
            self.lint(None)

    # -- measures ----------------------------------------------------------------------
    def cold(self) -> None:
        self.clear()
        self.lint("cold")
        if self.cli.cached and not self.cache.exists():
            self.problems.append(f"the cache has flags but nothing was written to {self.cache}: cold and warm may both be cold")

    def warm_run(self) -> None:
        self.prime()
        self.lint("warm")

    def changed(self) -> None:
        self.prime()
        self.edits += 1
        gen.edit_changed_module(self.inputs, self.edits)
        self.lint("one file changed")

    def no_cache(self) -> None:
        if self.cli.supports["--no-cache"]:
            self.lint("--no-cache", "--no-cache")

    def jobs(self) -> None:
        if self.cli.supports["--jobs"]:
            for n in ("1", "2"):
                self.clear()
                self.lint(f"cold --jobs {n}", f"--jobs={n}")

    def one_file(self) -> None:
        self.prime()
        self.lint("one file, warm cache", target=self.inputs.changed)
        self.clear()
        self.lint("one file, cold cache", target=self.inputs.changed)

    def memory(self) -> None:
        self.clear()
        self.lint("peak memory run (cold)", sample_tree=True)

    def lsp(self) -> None:
        if self.inputs.lsp_file is None:
            return
        self.parse("lsp")
        if self.cli.cached:  # first diagnostics with nothing cached; then with the cache full
            self.clear()
            self.lsp_session(cold=True)
            self.prime()
        self.lsp_session(cold=not self.cli.cached)

    def lsp_session(self, cold: bool) -> None:
        root, path = self.inputs.root, self.inputs.lsp_file
        cache = "cold" if cold else "warm"
        with tempfile.TemporaryFile() as stderr:
            started = time.perf_counter()
            client = LspClient([*self.cli.base, "lsp"], root, self.env, stderr)
            try:
                self._lsp_talk(client, started, path, cache, edits=0 if cold and self.cli.cached else self.lsp_edits)
            except (LspError, OSError) as exc:
                stderr.seek(0)
                self.problems.append(f"lsp ({cache} cache): {exc}: {stderr.read().decode(errors='replace').strip()[-500:]}")
            finally:
                client.close()

    def _lsp_talk(self, client: LspClient, started: float, path: Path, cache: str, edits: int) -> None:
        root = self.inputs.root
        capabilities = {"textDocument": {"publishDiagnostics": {"versionSupport": True}, "synchronization": {"didSave": True}}}
        params = {"processId": os.getpid(), "rootUri": root.as_uri(), "workspaceFolders": [{"uri": root.as_uri(), "name": root.name}], "capabilities": capabilities}
        result = client.request("initialize", params, LSP_TIMEOUT)
        self.samples[f"lsp start → initialize result ({cache} cache)"].append(time.perf_counter() - started)
        sync = result["capabilities"].get("textDocumentSync")
        kind = sync.get("change") if isinstance(sync, dict) else sync
        if kind not in (1, 2):  # both take a whole-text change, which is what we send
            raise LspError(f"the server takes no document changes (textDocumentSync {sync!r})")
        self.notes["textDocumentSync.change"] = {1: "full", 2: "incremental"}[kind]
        client.notify("initialized", {})
        uri, text = path.as_uri(), path.read_text()
        sent = client.notify("textDocument/didOpen", {"textDocument": {"uri": uri, "languageId": "python", "version": 1, "text": text}})
        arrived, message = client.wait(publish_for(uri, 1), LSP_TIMEOUT)
        self.samples[f"lsp didOpen → diagnostics ({cache} cache)"].append(arrived - sent)
        base = len(message["params"]["diagnostics"])
        expected = 0
        for n in range(edits):
            finding = n % 2 == 0  # add the finding, then take it away again
            text = text.replace(*((gen.LSP_EDIT_QUIET, gen.LSP_EDIT_FINDING) if finding else (gen.LSP_EDIT_FINDING, gen.LSP_EDIT_QUIET)))
            version = n + 2
            sent = client.notify("textDocument/didChange", {"textDocument": {"uri": uri, "version": version}, "contentChanges": [{"text": text}]})
            arrived, message = client.wait(publish_for(uri, version, base + finding), LSP_TIMEOUT)
            self.samples["lsp didChange → diagnostics"].append(arrived - sent)
            expected += len(message["params"]["diagnostics"]) == base + finding
        if edits:
            self.log(f"  {self.inputs.name}: lsp edits: median {median(self.samples['lsp didChange → diagnostics'][-edits:]) * 1000:.0f} ms")
            if expected != edits:
                self.problems.append(f"lsp: only {expected} of {edits} edits changed the findings as intended")

    def cycle(self, only: Optional[str]) -> None:
        """Every chosen measure once, each after the baseline it is compared with."""
        chosen = [only] if only else list(MEASURES)
        whole = {"cold", "warm", "changed", "no-cache", "jobs", "memory"} & set(chosen)
        if whole:
            self.parse("all")
        if "one-file" in chosen:
            self.parse("one")
        steps = {"cold": self.cold, "warm": self.warm_run, "changed": self.changed, "no-cache": self.no_cache, "jobs": self.jobs, "one-file": self.one_file, "memory": self.memory, "lsp": self.lsp}
        for name in chosen:
            steps[name]()


# (row, baseline row, what the baseline is): the table's order
ROWS = [
    ("cold", "parse all", "process"),
    ("warm", "parse all", "process"),
    ("one file changed", "parse all", "process"),
    ("--no-cache", "parse all", "process"),
    ("cold --jobs 1", "parse all", "process"),
    ("cold --jobs 2", "parse all", "process"),
    ("peak memory run (cold)", "parse all", "process"),
    ("one file, cold cache", "parse one", "process"),
    ("one file, warm cache", "parse one", "process"),
    ("lsp start → initialize result (cold cache)", "parse lsp", "process"),
    ("lsp start → initialize result (warm cache)", "parse lsp", "process"),
    ("lsp didOpen → diagnostics (cold cache)", "parse lsp in-process", "in-process"),
    ("lsp didOpen → diagnostics (warm cache)", "parse lsp in-process", "in-process"),
    ("lsp didChange → diagnostics", "parse lsp in-process", "in-process"),
]
ROW_MEASURE = {"cold": "cold", "warm": "warm", "one file changed": "changed", "--no-cache": "no-cache", "cold --jobs 1": "jobs", "cold --jobs 2": "jobs", "peak memory run (cold)": "memory", "one file, cold cache": "one-file", "one file, warm cache": "one-file"}


def report(bench: ProjectBench, only: Optional[str]) -> dict:
    rows = []
    for row, base, kind in ROWS:
        measure = ROW_MEASURE.get(row, "lsp")
        if only not in (None, measure) or (measure == "lsp" and bench.inputs.lsp_file is None):
            continue
        values, baseline = bench.samples.get(row, []), bench.samples.get(base, [])
        rss = median(bench.rss.get(row, []))
        entry = {
            "measure": row,
            "seconds": values,
            "median": median(values),
            "min": min(values, default=None),
            "max": max(values, default=None),
            "baseline": f"{base} ({kind})",
            "baseline_median": median(baseline),
            "ratio": median(values) / median(baseline) if values and baseline else None,
            "max_rss_mib": rss,
            "findings": bench.findings.get(row),
        }
        rows.append(entry)
    inputs = bench.inputs
    return {
        "files": len(inputs.files),
        "lines": inputs.lines,
        "handler_lines": inputs.handler_lines,
        "lsp_file_lines": inputs.lsp_file.read_text().count("\n") if inputs.lsp_file else None,
        "rows": rows,
        "baselines": {name: {"median": median(v), "seconds": v} for name, v in bench.samples.items() if name.startswith("parse")},
        "notes": bench.notes,
        "problems": bench.problems,
    }


def fmt_seconds(value: Optional[float]) -> str:
    if value is None:
        return "n/a"
    return f"{value * 1000:.0f} ms" if value < 1 else f"{value:.2f} s"


def markdown(result: dict) -> str:
    meta = result["meta"]
    out = [
        f"{meta['version']} ({meta['commit']}), Python {meta['python']}, {meta['cpus']} CPUs, "
        f"--select {meta['select']}, median of {meta['repeat']} interleaved repeats, restate-lint's bytecode compiled",
        "flags: " + ", ".join(f"{flag} {'yes' if ok else 'n/a'}" for flag, ok in meta["supports"].items()),
        "",
    ]
    for name, project in result["projects"].items():
        if not project["rows"]:
            continue
        share = project["handler_lines"] / project["lines"]
        lsp = f", LSP file {project['lsp_file_lines']} lines" if project["lsp_file_lines"] else ""
        out += [f"### {name}: {project['files']} files, {project['lines']:,} lines ({share:.0%} handler code){lsp}", ""]
        out += ["| measure | restate-lint | min – max | bare parse (same files) | ratio | max RSS | findings |", "|---|---:|---:|---:|---:|---:|---:|"]
        for row in project["rows"]:
            spread = f"{fmt_seconds(row['min'])} – {fmt_seconds(row['max'])}" if row["seconds"] else ""
            base = f"{fmt_seconds(row['baseline_median'])} {'in-process' if 'in-process' in row['baseline'] else ''}".strip()
            ratio = f"{row['ratio']:.2f}×" if row["ratio"] is not None else "n/a"
            rss = f"{row['max_rss_mib']:.0f} MiB" if row["max_rss_mib"] else ""
            findings = "" if row["findings"] is None else str(row["findings"])
            out.append(f"| {row['measure']} | {fmt_seconds(row['median'])} | {spread} | {base} | {ratio} | {rss} | {findings} |")
        jobs = {r["measure"]: r["median"] for r in project["rows"] if r["measure"].startswith("cold --jobs")}
        if all(jobs.get(f"cold --jobs {n}") for n in (1, 2)):
            out.append(f"\n--jobs 1 / --jobs 2 (cold): {jobs['cold --jobs 1'] / jobs['cold --jobs 2']:.2f}×")
        for key, value in project["notes"].items():
            out.append(f"\n{key}: {value}")
        for problem in project["problems"]:
            out.append(f"\n**problem**: {problem}")
        out.append("")
    out.append("max RSS: the largest process (wait4); the peak memory row sums the process tree, sampled every 50 ms.")
    return "\n".join(out) + "\n"


def build_inputs(folder: Path, quick: bool, lines: Optional[int], modules: Optional[int], log) -> list[gen.Inputs]:
    log(f"generating inputs in {folder} ...")
    mixed = gen.mixed_repo(folder / "mixed", lines=lines or (20_000 if quick else 100_000))
    dense = gen.dense_project(folder / "dense", modules=modules or (40 if quick else 300))
    return [mixed, dense]


def git_commit() -> str:
    done = subprocess.run(["git", "-C", str(REPO), "describe", "--always", "--dirty"], capture_output=True, text=True)
    return done.stdout.strip() or "unknown"


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--quick", action="store_true", help="small inputs, one repeat, 4 LSP edits: a smoke test")
    parser.add_argument("--repeat", type=int, help="interleaved repeats of every measure (default 3, 1 with --quick)")
    parser.add_argument("--only", choices=MEASURES, help="run this measure only (and its baseline)")
    parser.add_argument("--keep", type=Path, metavar="DIR", help="generate the inputs into DIR and keep them")
    parser.add_argument("--json", action="store_true", help="print JSON instead of the markdown table")
    parser.add_argument("--select", default="ALL", help="rule selectors passed to restate-lint (default ALL)")
    parser.add_argument("--lines", type=int, help="size of the mixed repo (default 100,000; 20,000 with --quick)")
    parser.add_argument("--modules", type=int, help="handler modules of the dense project (default 300; 40 with --quick)")
    parser.add_argument("--lsp-edits", type=int, help="didChange edits per language-server session (default 20, 4 with --quick)")
    args = parser.parse_args()
    repeat = args.repeat or (1 if args.quick else 3)
    lsp_edits = args.lsp_edits or (4 if args.quick else 20)

    def log(message: str) -> None:
        print(message, file=sys.stderr, flush=True)

    cli = Cli()
    log("flags: " + ", ".join(f"{flag} {'yes' if ok else 'n/a'}" for flag, ok in cli.supports.items()))
    with tempfile.TemporaryDirectory(prefix="restate-lint-bench-") as tmp:
        folder = args.keep.resolve() if args.keep else Path(tmp)
        benches = [ProjectBench(cli, inputs, args.select, lsp_edits, log) for inputs in build_inputs(folder, args.quick, args.lines, args.modules, log)]
        for n in range(repeat):
            for bench in benches:
                log(f"cycle {n + 1}/{repeat}, {bench.inputs.name}")
                bench.cycle(args.only)
        result = {
            "meta": {"version": cli.version, "commit": git_commit(), "python": platform.python_version(), "cpus": os.cpu_count(), "select": args.select, "repeat": repeat, "supports": cli.supports, "only": args.only},
            "projects": {bench.inputs.name: report(bench, args.only) for bench in benches},
        }
    print(json.dumps(result, indent=2) if args.json else markdown(result), end="")


if __name__ == "__main__":
    main()
