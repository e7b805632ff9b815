"""The command-line options Ruff users reach for, with Ruff's names and behaviour: settings on
the command line, --show-files/--show-settings, --add-noqa, --watch, --exit-non-zero-on-fix,
--ignore-noqa, --fixable/--unfixable, `rule --all`, `rule CODE --output-format json`, `config`,
`version`."""

from __future__ import annotations

import json
import os
import select
import subprocess
import sys
import time
from pathlib import Path

import pytest
from click.testing import CliRunner

from restate_lint import __version__
from restate_lint.cli import main
from restate_lint.config import _KEYS, OPTIONS
from restate_lint.registry import RULES
from samples import FIXED, HANDLER

# RST202 on line 12 (safe fix), RST101 on line 13 (safe fix)
TWO = HANDLER.replace("    return name", "    return name + str(uuid.uuid4())").replace("import restate\n", "import uuid\n\nimport restate\n")


def run(*args: str, cwd: Path, input: str | None = None):
    old = os.getcwd()
    os.chdir(cwd)
    try:
        return CliRunner().invoke(main, ["--no-cache", *args] if args and args[0] not in ("rule", "config", "version") else list(args), input=input, catch_exceptions=False)
    finally:
        os.chdir(old)


@pytest.fixture
def project(tmp_path: Path) -> Path:
    (tmp_path / "pyproject.toml").write_text('[tool.restate-lint]\nexclude = ["generated"]\n')
    (tmp_path / "app").mkdir()
    (tmp_path / "app" / "greeter.py").write_text(TWO)
    (tmp_path / "generated").mkdir()
    (tmp_path / "generated" / "stub.py").write_text(HANDLER)
    return tmp_path


def codes(output: str) -> list[str]:
    return [line.split(": ")[1].split()[0] for line in output.splitlines() if line.count(":") >= 3]


def test_settings_on_the_command_line(project: Path) -> None:
    concise = ("--output-format", "concise")
    assert codes(run(*concise, ".", cwd=project).output) == ["RST202", "RST101"]
    # --exclude replaces the configured excludes, --extend-exclude adds
    assert "generated/stub.py" in run(*concise, "--exclude", "nothing", ".", cwd=project).output
    assert "RST" not in run(*concise, "--extend-exclude", "app", ".", cwd=project).output
    assert codes(run(*concise, "--per-file-ignores", "app/*:RST1", ".", cwd=project).output) == ["RST202"]
    assert codes(run(*concise, "--extend-per-file-ignores", "app/*:RST202,RST101", ".", cwd=project).output) == []
    bad = run("--per-file-ignores", "RST101", ".", cwd=project)
    assert bad.exit_code == 2 and "PATTERN:CODES" in bad.output
    assert run("--target-sdk-version", "one", ".", cwd=project).exit_code == 2


def test_fixable_unfixable_and_exit_non_zero_on_fix(project: Path) -> None:
    concise = ("--output-format", "concise")
    out = run(*concise, "--unfixable", "RST101", ".", cwd=project).output.splitlines()
    assert "RST202 [*]" in out[0] and "RST101 [*]" not in out[1]
    assert "[*]" not in run(*concise, "--fixable", "RST1", "--unfixable", "RST101", ".", cwd=project).output
    (project / "pyproject.toml").write_text('[tool.restate-lint]\nunfixable = ["RST202"]\n')
    fixed = run("--fix", "app/greeter.py", cwd=project)
    assert fixed.exit_code == 1  # RST202 remains: its fix is off
    text = (project / "app" / "greeter.py").read_text()
    assert "ctx.uuid()" in text and "await ctx.sleep" not in text
    # a run that fixes everything exits 0, unless asked otherwise
    (project / "pyproject.toml").write_text("[tool.restate-lint]\n")
    assert run("--fix", "app/greeter.py", cwd=project).exit_code == 0
    (project / "app" / "greeter.py").write_text(HANDLER)
    assert run("--fix", "--exit-non-zero-on-fix", "app/greeter.py", cwd=project).exit_code == 1
    assert (project / "app" / "greeter.py").read_text() == FIXED


def test_ignore_noqa(project: Path) -> None:
    (project / "app" / "greeter.py").write_text(HANDLER.replace("seconds=1))", "seconds=1))  # noqa: RST202"))
    assert run("--output-format", "concise", "app", cwd=project).output == ""
    assert codes(run("--output-format", "concise", "--ignore-noqa", "app", cwd=project).output) == ["RST202"]
    # the cache does not serve one for the other
    proc = [sys.executable, "-m", "restate_lint", "--output-format", "concise", "app"]
    assert subprocess.run(proc, cwd=project, capture_output=True, text=True).stdout == ""
    assert "RST202" in subprocess.run([*proc, "--ignore-noqa"], cwd=project, capture_output=True, text=True).stdout


def test_show_files_and_settings(project: Path) -> None:
    shown = run("--show-files", ".", cwd=project)
    assert shown.exit_code == 0 and shown.output.splitlines() == [str((project / "app" / "greeter.py").resolve())]
    settings = run("--show-settings", "--ignore", "RST1", ".", cwd=project).output.splitlines()
    assert settings[1:3] == [f"  project: {project.resolve()}", f"  config: {project / 'pyproject.toml'}"]
    on = settings[3].split(": ", 1)[1].split(", ")
    assert "RST201" in on and not any(c.startswith("RST1") for c in on) and "RST601" not in on


def test_add_noqa(project: Path) -> None:
    target = project / "app" / "greeter.py"
    (project / "app" / "other.py").write_text(HANDLER.replace("seconds=1))", "seconds=1))  # noqa: E501"))
    added = run("--add-noqa", "app", cwd=project)  # a bare --add-noqa does not swallow the path
    assert added.exit_code == 0 and "Added 3 noqa directives." in added.output
    lines = target.read_text().splitlines()
    assert lines[11].endswith("ctx.sleep(timedelta(seconds=1))  # noqa: RST202")
    assert lines[12].endswith("str(uuid.uuid4())  # noqa: RST101")
    assert (project / "app" / "other.py").read_text().splitlines()[9].endswith("# noqa: E501, RST202")
    assert run("--output-format", "concise", "app", cwd=project).output == ""
    target.write_text(TWO)
    run("--add-noqa=known, not journaled", "app/greeter.py", cwd=project)
    assert target.read_text().splitlines()[11].endswith("# noqa: RST202 -- known, not journaled")


def test_watch_lints_again_on_change(tmp_path: Path) -> None:
    (tmp_path / "pyproject.toml").write_text("[project]\nname = 'w'\n")
    (tmp_path / "greeter.py").write_text(HANDLER)
    proc = subprocess.Popen([sys.executable, "-m", "restate_lint", "--watch", "--output-format", "concise", "."], cwd=tmp_path, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
    try:
        assert "RST202" in _line(proc.stdout)
        _wait_for(proc.stderr, "watching for file changes")
        (tmp_path / "greeter.py").write_text(TWO.replace("    ctx.sleep(", "    await ctx.sleep("))
        _wait_for(proc.stderr, "a file changed, linting again")
        assert "RST101" in _line(proc.stdout)  # the new problem, and the old one gone
    finally:
        proc.terminate()
        proc.wait(timeout=30)


def _line(stream, limit: float = 60) -> str:
    """The next line of a child's output; fails instead of blocking past `limit` seconds (the
    child writes one line at a time between the reads here, so none waits in the reader's buffer)."""
    ready, _, _ = select.select([stream], [], [], limit)
    assert ready, "no output"
    return stream.readline()


def _wait_for(stream, text: str, limit: float = 60) -> None:
    deadline = time.monotonic() + limit
    while time.monotonic() < deadline:
        line = _line(stream, max(deadline - time.monotonic(), 0.1))
        if text in line:
            return
        assert line, f"the output ended before {text!r}"
    raise AssertionError(f"never said {text!r}")


def test_rule_all_and_json(tmp_path: Path) -> None:
    every = run("rule", "--all", cwd=tmp_path)
    assert every.exit_code == 0 and every.output.count("\n# RST") + every.output.startswith("# RST") == len(RULES)
    [item] = [json.loads(run("rule", "RST201", "--output-format", "json", cwd=tmp_path).output)]
    assert item["code"] == "RST201" and item["name"] == "context-in-run" and item["explanation"].startswith("# RST201")
    assert set(item) == {"code", "name", "severity", "fix", "default", "family", "summary", "url", "explanation"}
    listed = json.loads(run("rule", "--all", "--output-format", "json", cwd=tmp_path).output)
    assert [r["code"] for r in listed] == sorted(RULES)
    assert run("rule", cwd=tmp_path).exit_code == 2


def test_config_lists_every_setting(tmp_path: Path) -> None:
    assert set(OPTIONS) == set(_KEYS)
    out = run("config", cwd=tmp_path).output
    for key in _KEYS:
        assert f"{key}\n  type: " in out
    one = run("config", "per-file-ignores", cwd=tmp_path)
    assert one.output.splitlines()[:3] == ["per-file-ignores", "  type: table of pattern = [rule selectors]", "  default: {}"]
    assert run("config", "nope", cwd=tmp_path).exit_code == 2


def test_version(tmp_path: Path) -> None:
    assert run("version", cwd=tmp_path).output == f"restate-lint {__version__}\n"
    assert json.loads(run("version", "--output-format", "json", cwd=tmp_path).output) == {"version": __version__}
    proc = subprocess.run([sys.executable, "-m", "restate_lint", "version"], capture_output=True, text=True, timeout=60)
    assert proc.stdout == f"restate-lint {__version__}\n"
