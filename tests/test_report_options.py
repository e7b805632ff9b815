"""Reporting options (--statistics, --color, -q/-s/-v, -o, --output-format and where it comes
from) and the formats for CI services, each checked against what its consumer documents."""

from __future__ import annotations

import json
import os
import re
import subprocess
import sys
import textwrap
from pathlib import Path

import pytest
from click.testing import CliRunner

from restate_lint.cli import main
from restate_lint.output.report import FORMATS

# a safe fix (RST101), a rule without fix (RST301), a non-ASCII character before a diagnostic,
# and a `;` and `]` in a message (RST301's)
SOURCE = textwrap.dedent(
    """\
    import uuid

    import restate

    counter = restate.VirtualObject("Counter")


    @counter.handler(kind="shared")
    async def peek(ctx: restate.ObjectSharedContext) -> str:
        label = "é"; ctx.set("seen", True)
        return label + str(uuid.uuid4())
    """
)


@pytest.fixture
def project(tmp_path: Path) -> Path:
    (tmp_path / "pyproject.toml").write_text('[project]\nname = "demo"\n')
    (tmp_path / "counter.py").write_text(SOURCE)
    return tmp_path


def run(*args: str, cwd: Path, env: dict | None = None):
    old = os.getcwd()
    os.chdir(cwd)
    try:
        return CliRunner(env=env).invoke(main, ["--no-cache", *args], catch_exceptions=False)
    finally:
        os.chdir(old)


def subprocess_run(*args: str, cwd: Path, env: dict | None = None) -> subprocess.CompletedProcess:
    return subprocess.run([sys.executable, "-m", "restate_lint", "--no-cache", *args], cwd=cwd, capture_output=True, text=True, timeout=120, env={**os.environ, **(env or {})})


# -- statistics ----------------------------------------------------------------------------------
def test_statistics_prints_only_the_counts(project: Path) -> None:
    out = run("--statistics", "counter.py", cwd=project).output
    assert out.splitlines() == [
        "1  RST101  [*] nondeterministic-call",
        "1  RST301  [ ] state-write-in-shared-handler",
        "Found 2 problems ([*] 1 fixable with --fix).",
    ]
    assert run("--statistics", "-q", "--output-format", "concise", "counter.py", cwd=project).output.splitlines()[-1].endswith("state-write-in-shared-handler")


@pytest.mark.parametrize("fmt", ["json", "json-lines"])
def test_statistics_as_json(project: Path, fmt: str) -> None:
    proc = subprocess_run("--statistics", "--output-format", fmt, "counter.py", cwd=project)
    assert proc.returncode == 1
    assert json.loads(proc.stdout) == [
        {"code": "RST101", "name": "nondeterministic-call", "count": 1, "fixable": True, "fixable_count": 1},
        {"code": "RST301", "name": "state-write-in-shared-handler", "count": 1, "fixable": False, "fixable_count": 0},
    ]


# -- colour, quiet, silent, verbose ---------------------------------------------------------------
def test_color(project: Path) -> None:
    assert "\x1b[" in run("--color", "always", "counter.py", cwd=project).output
    assert "\x1b[" not in run("--color", "never", "counter.py", cwd=project).output
    assert "\x1b[" not in run("counter.py", cwd=project).output  # auto, not a terminal


def test_quiet_silent_and_verbose(project: Path) -> None:
    assert "Found" not in run("-q", "counter.py", cwd=project).output
    silent = subprocess_run("-s", "counter.py", cwd=project)
    assert (silent.returncode, silent.stdout, silent.stderr) == (1, "", "")
    verbose = subprocess_run("-v", "--output-format", "concise", "counter.py", cwd=project)
    assert verbose.returncode == 1 and verbose.stdout.count("RST") == 2
    assert f"project {project.resolve()} (config: none), 1 files" in verbose.stderr
    assert "checking counter.py" in verbose.stderr and re.search(r"1 files checked in \d+\.\d\ds", verbose.stderr)
    cached = subprocess.run([sys.executable, "-m", "restate_lint", "-v", "counter.py"], cwd=project, capture_output=True, text=True, timeout=120)
    cached = subprocess.run([sys.executable, "-m", "restate_lint", "-v", "counter.py"], cwd=project, capture_output=True, text=True, timeout=120)
    assert "cache run: 1 hits, 0 misses" in cached.stderr


def test_no_python_files_is_a_warning(tmp_path: Path) -> None:
    (tmp_path / "notes.txt").write_text("nothing to lint")
    proc = subprocess_run(".", cwd=tmp_path)
    assert proc.returncode == 0
    assert "warning: No Python files found" in proc.stderr
    assert subprocess_run("-s", ".", cwd=tmp_path).stderr == ""


# -- where the format comes from, where the report goes -------------------------------------------
def test_output_format_from_flag_alias_env_and_config(project: Path) -> None:
    concise = "counter.py:10:18: RST301"
    assert run("--format", "concise", "counter.py", cwd=project).output.startswith(concise)
    assert run("counter.py", cwd=project, env={"RESTATE_LINT_OUTPUT_FORMAT": "concise"}).output.startswith(concise)
    (project / "pyproject.toml").write_text('[tool.restate-lint]\noutput-format = "concise"\n')
    assert run("counter.py", cwd=project).output.startswith(concise)
    # the command line wins over the environment, which wins over the config
    assert run("counter.py", cwd=project, env={"RESTATE_LINT_OUTPUT_FORMAT": "pylint"}).output.startswith("counter.py:10: [RST301(")
    assert run("--output-format", "full", "counter.py", cwd=project, env={"RESTATE_LINT_OUTPUT_FORMAT": "pylint"}).output.startswith("RST301 ")
    (project / "pyproject.toml").write_text('[tool.restate-lint]\noutput-format = "fancy"\n')
    bad = run("counter.py", cwd=project)
    assert bad.exit_code == 2 and "`output-format` must be one of full, concise" in bad.output


def test_output_file(project: Path) -> None:
    proc = subprocess_run("-o", "report.json", "--output-format", "json", "counter.py", cwd=project)
    assert proc.returncode == 1 and proc.stdout == ""
    assert [d["code"] for d in json.loads((project / "report.json").read_text())] == ["RST301", "RST101"]
    run("-o", "report.txt", "counter.py", cwd=project)
    text = (project / "report.txt").read_text()
    assert "\x1b[" not in text and "  --> counter.py:10:18" in text and "Found 2 problems" in text
    failed = run("-o", "missing/folder/report.txt", "counter.py", cwd=project)
    assert failed.exit_code == 2 and "cannot write missing/folder/report.txt" in failed.output


@pytest.mark.parametrize("fmt", FORMATS)
def test_every_format_in_a_subprocess(project: Path, fmt: str) -> None:
    proc = subprocess_run("--output-format", fmt, "counter.py", cwd=project)
    assert proc.returncode == 1, proc.stderr
    assert "RST301" in proc.stdout and "RST101" in proc.stdout
    clean = project / "clean"
    clean.mkdir()
    (clean / "ok.py").write_text("x = 1\n")
    assert subprocess_run("--output-format", fmt, "clean", cwd=project).returncode == 0


# -- the formats, against their consumers' documentation -----------------------------------------
def test_json_lines_is_json_one_per_line(project: Path) -> None:
    lines = run("--output-format", "json-lines", "counter.py", cwd=project).output.splitlines()
    assert [json.loads(line) for line in lines] == json.loads(run("--output-format", "json", "counter.py", cwd=project).output)


def test_gitlab_code_quality(project: Path) -> None:
    """docs.gitlab.com/ci/testing/code_quality (Code Quality report format): an array of objects
    with description, check_name, a unique fingerprint, severity in info/minor/major/critical/
    blocker, location.path relative to the repository and location.lines.begin or
    location.positions.begin.line."""
    subprocess.run(["git", "init", "-q", str(project)], check=True)
    (project / "sub").mkdir()
    (project / "sub" / "counter.py").write_text(SOURCE + "\n\n" + SOURCE.split("\n\n\n", 1)[1].replace("peek", "peek2"))
    issues = json.loads(run("--output-format", "gitlab", "sub", cwd=project).output)
    assert len(issues) == 4
    for issue in issues:
        assert set(issue) >= {"description", "check_name", "fingerprint", "severity", "location"}
        assert issue["severity"] in {"info", "minor", "major", "critical", "blocker"}
        assert issue["location"]["path"] == "sub/counter.py"
        assert isinstance(issue["location"]["positions"]["begin"]["line"], int)
        assert issue["description"].startswith(issue["check_name"] + ": ")
    assert len({i["fingerprint"] for i in issues}) == 4
    # paths relative to $CI_PROJECT_DIR, as GitLab's runner sets it
    moved = run("--output-format", "gitlab", "sub", cwd=project, env={"CI_PROJECT_DIR": str(project / "sub")})
    assert {i["location"]["path"] for i in json.loads(moved.output)} == {"counter.py"}


def test_rdjson_reviewdog(project: Path) -> None:
    """reviewdog's rdf schema (proto/rdf/jsonschema/DiagnosticResult.json): severity one of
    ERROR/WARNING/INFO, positions with 1-based lines and columns counted in UTF-8 bytes, end
    exclusive; suggestions with a range and the text."""
    report = json.loads(run("--output-format", "rdjson", "counter.py", cwd=project).output)
    assert report["source"]["name"] == "restate-lint"
    assert report["severity"] in {"ERROR", "WARNING", "INFO"}
    by_code = {d["code"]["value"]: d for d in report["diagnostics"]}
    set_call = by_code["RST301"]
    assert set_call["severity"] == "ERROR" and set_call["location"]["path"] == "counter.py"
    # `    label = "é"; ctx.set(..)`: é is two bytes, so ctx starts at byte column 19 (code point 18)
    assert set_call["location"]["range"]["start"] == {"line": 10, "column": 19}
    line = SOURCE.splitlines()[9].encode()
    start, end = set_call["location"]["range"]["start"]["column"], set_call["location"]["range"]["end"]["column"]
    assert line[start - 1 : end - 1] == b'ctx.set("seen", True)'
    [suggestion] = by_code["RST101"]["suggestions"]
    assert set(suggestion) == {"range", "text"} and "ctx.uuid()" in suggestion["text"]


def test_azure_logging_commands(project: Path) -> None:
    """learn.microsoft.com/azure/devops/pipelines/scripts/logging-commands (LogIssue):
    `##vso[task.logissue type=error|warning;sourcepath=..;linenumber=..;columnnumber=..;code=..]message`,
    with the agent's escapes (azure-pipelines-task-lib): %AZP25, %0D, %0A, and in properties %3B, %5D."""
    lines = run("--output-format", "azure", "counter.py", cwd=project).output.splitlines()
    pattern = re.compile(r"^##vso\[task\.logissue type=(error|warning);sourcepath=([^;\]]+);linenumber=(\d+);columnnumber=(\d+);code=(RST\d{3});\]([^\r\n]*)$")
    matches = [pattern.match(line) for line in lines]
    assert all(matches), lines
    assert [(m.group(2), m.group(3), m.group(4), m.group(5)) for m in matches] == [("counter.py", "10", "18", "RST301"), ("counter.py", "11", "24", "RST101")]
    from restate_lint.output.ci import azure_data, azure_property

    assert azure_data("100% a\r\nb") == "100%AZP25 a%0D%0Ab"
    assert azure_property("a;b]c") == "a%3Bb%5Dc"


def test_pylint_parseable(project: Path) -> None:
    """pylint's `parseable` format: `{path}:{line}: [{msg_id}({symbol}), {obj}] {msg}`, as
    Jenkins' warnings plugin and editors parse it."""
    lines = run("--output-format", "pylint", "counter.py", cwd=project).output.splitlines()
    pattern = re.compile(r"^(?P<path>[^:]+):(?P<line>\d+): \[(?P<id>[A-Z]+\d+)\((?P<symbol>[a-z0-9-]+)\), (?P<obj>[^\]]*)\] (?P<msg>.+)$")
    parsed = [pattern.match(line).groupdict() for line in lines]
    assert [(p["path"], p["line"], p["id"], p["symbol"]) for p in parsed] == [
        ("counter.py", "10", "RST301", "state-write-in-shared-handler"),
        ("counter.py", "11", "RST101", "nondeterministic-call"),
    ]
