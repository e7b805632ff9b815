"""The command line: output formats, selection, config, exit codes, bad input."""

from __future__ import annotations

import json
import os
import subprocess
import sys
import textwrap
from pathlib import Path

import pytest
from click.testing import CliRunner

from restate_lint.cli import main

BAD_HANDLER = textwrap.dedent(
    """\
    import restate

    counter = restate.VirtualObject("Counter")


    @counter.handler(kind="shared")
    async def peek(ctx: restate.ObjectSharedContext) -> int:
        ctx.set("seen", True)
        return await ctx.get("count") or 0
    """
)


def run(*args: str, cwd: Path, input: bytes | None = None):
    runner = CliRunner()
    old = os.getcwd()
    os.chdir(cwd)
    try:
        return runner.invoke(main, list(args), input=input, catch_exceptions=False)
    finally:
        os.chdir(old)


@pytest.fixture
def project(tmp_path: Path) -> Path:
    (tmp_path / "pyproject.toml").write_text('[project]\nname = "demo"\n')
    (tmp_path / "counter.py").write_text(BAD_HANDLER)
    return tmp_path


def test_text_output_is_flake8_style(project: Path) -> None:
    result = run("--output-format", "concise", "counter.py", cwd=project)
    assert result.exit_code == 1
    assert result.output.splitlines() == ["counter.py:8:5: RST301 " + result.output.split("RST301 ", 1)[1].splitlines()[0]]


def test_check_is_the_default_command_and_dot_the_default_path(project: Path) -> None:
    explicit = run("check", ".", "--format", "concise", cwd=project)
    implicit = run("--format", "concise", cwd=project)
    assert explicit.output == implicit.output
    assert "counter.py:8:5: RST301" in implicit.output


def test_json_shape(project: Path) -> None:
    result = run("--format", "json", "counter.py", cwd=project)
    [item] = json.loads(result.output)
    assert set(item) == {"code", "name", "message", "severity", "filename", "location", "end_location", "fix", "url"}
    assert (item["code"], item["name"], item["severity"]) == ("RST301", "state-write-in-shared-handler", "error")
    assert item["location"] == {"row": 8, "column": 5}
    assert item["end_location"]["row"] == 8 and item["end_location"]["column"] > 5
    assert item["fix"] is None and item["url"].endswith("RST301.md")


def test_json_fix_shape(tmp_path: Path) -> None:
    (tmp_path / "h.py").write_text(BAD_HANDLER.replace("restate.ObjectSharedContext", "restate.ObjectContext").replace('ctx.set("seen", True)', "pass"))
    [item] = json.loads(run("--format", "json", "h.py", cwd=tmp_path).output)
    assert item["code"] == "RST303"
    assert item["fix"]["applicability"] == "safe"
    [edit] = item["fix"]["edits"]
    assert edit == {"content": "restate.ObjectSharedContext", "location": {"row": 7, "column": 21}, "end_location": {"row": 7, "column": 42}}


def test_select_ignore_and_exit_zero(project: Path) -> None:
    assert run("--ignore", "RST301", "counter.py", cwd=project).exit_code == 0
    assert run("--select", "RST2", "counter.py", cwd=project).exit_code == 0
    assert run("--select", "RST3", "counter.py", cwd=project).exit_code == 1
    assert run("--exit-zero", "counter.py", cwd=project).exit_code == 0


def test_info_rules_only_when_selected(tmp_path: Path) -> None:
    (tmp_path / "s.py").write_text("x = 1  # restate-lint: ignore[RST201]\n")
    assert "RST901" not in run("s.py", cwd=tmp_path).output
    assert "RST901" in run("--extend-select", "RST901", "s.py", cwd=tmp_path).output
    assert "RST901" in run("--select", "ALL", "s.py", cwd=tmp_path).output


def test_statistics(project: Path) -> None:
    assert run("--statistics", "counter.py", cwd=project).output.splitlines()[0] == "1  RST301  [ ] state-write-in-shared-handler"


def test_config_in_pyproject(project: Path) -> None:
    (project / "pyproject.toml").write_text('[tool.restate-lint]\nignore = ["RST301"]\n')
    assert run("counter.py", cwd=project).exit_code == 0
    assert run("--no-config", "counter.py", cwd=project).exit_code == 1


def test_per_file_ignores_and_extend_exclude(project: Path) -> None:
    (project / "pyproject.toml").write_text('[tool.restate-lint]\nper-file-ignores = { "counter.py" = ["RST3"] }\n')
    assert run("counter.py", cwd=project).exit_code == 0
    (project / "pyproject.toml").write_text('[tool.restate-lint]\nextend-exclude = ["counter.py"]\n')
    assert run(".", cwd=project).exit_code == 0
    assert run("counter.py", cwd=project).exit_code == 1  # named explicitly: always linted


@pytest.mark.parametrize(
    "config, message",
    [
        ('[tool.restate-lint]\nselct = ["RST1"]\n', "unknown option `selct`"),
        ('[tool.restate-lint]\nselect = ["RST777"]\n', "unknown rule selector 'RST777'"),
        ('[tool.restate-lint]\nselect = "RST1"\n', "`select` must be a list of strings"),
        ('[tool.restate-lint]\ntarget-sdk-version = "one"\n', "`target-sdk-version` must be a version"),
        ("[tool.restate-lint\n", "is not valid TOML"),
    ],
)
def test_bad_config_is_one_line_and_exit_2(project: Path, config: str, message: str) -> None:
    (project / "pyproject.toml").write_text(config)
    result = run("counter.py", cwd=project)
    assert result.exit_code == 2
    assert message in result.output
    assert len(result.output.strip().splitlines()) == 1 and "Traceback" not in result.output


def test_bad_selector_and_missing_path(project: Path) -> None:
    result = run("--select", "NOPE", "counter.py", cwd=project)
    assert result.exit_code == 2 and "unknown rule selector 'NOPE'" in result.output
    result = run("missing.py", cwd=project)
    assert result.exit_code == 2 and "missing.py: no such file or directory" in result.output


def test_stdin(project: Path) -> None:
    result = run("-", "--stdin-filename", "counter.py", "--output-format", "concise", cwd=project, input=BAD_HANDLER.encode())
    assert result.output.startswith("counter.py:8:5: RST301")


def test_rules_and_rule_commands(project: Path) -> None:
    listing = run("rules", cwd=project).output
    assert "RST201  context-in-run" in listing and "RST901" in listing
    page = run("rule", "rst201", cwd=project)
    assert page.exit_code == 0 and page.output.startswith("# RST201: context-in-run")
    assert run("rule", "RST000", cwd=project).exit_code == 2


def test_real_subprocess_on_examples() -> None:
    root = Path(__file__).parent.parent
    proc = subprocess.run([sys.executable, "-m", "restate_lint", "--format", "json", "examples"], cwd=root, capture_output=True, text=True, timeout=120)
    assert proc.returncode == 1, proc.stderr
    found = json.loads(proc.stdout)
    assert {d["code"] for d in found} >= {"RST201", "RST203", "RST301", "RST303"}
    assert all(Path(root, d["filename"]).is_file() for d in found)
