"""Which SDK version a project targets, and how it sets the severity of RST502."""

from __future__ import annotations

import pytest

from restate_lint.config import Settings
from restate_lint.runner import lint_paths
from restate_lint.sdk_version import detect, newest_allowed, target_sdk_version

HANDLER = '''
import restate

svc = restate.Service("Svc")


@svc.handler()
async def run(ctx: restate.Context) -> str:
    try:
        return await ctx.run_typed("x", lambda: "x")
    except Exception:
        return "failed"
'''


@pytest.mark.parametrize(
    ("spec", "old"),
    [("==0.10.2", True), (">=0.9,<0.11", True), ("~=0.10.0", True), ("^0.10", True), ("<0.11.1", False), (">=0.9", False), ("==1.3.0", False), ("==0.11.0", False)],
)
def test_ranges_count_by_their_newest_version(spec, old):
    newest = newest_allowed(spec)
    assert (newest is not None and newest < (0, 11)) is old


@pytest.mark.parametrize(
    ("name", "text", "expected"),
    [
        ("requirements.txt", "hypercorn\nrestate-sdk[serde]==0.10.2  # pinned\n", (0, 10, 2)),
        ("pyproject.toml", '[project]\nname = "x"\ndependencies = ["restate_sdk>=0.12"]\n', None),
        ("pyproject.toml", '[tool.poetry.dependencies]\nrestate-sdk = "^0.9.1"\n', (0, 9, 10**6)),
        ("uv.lock", '[[package]]\nname = "restate-sdk"\nversion = "0.10.1"\n', (0, 10, 1)),
        ("poetry.lock", '[[package]]\nname = "restate-sdk"\nversion = "1.3.0"\n', (1, 3, 0)),
    ],
)
def test_detected_from_dependency_files(tmp_path, name, text, expected):
    (tmp_path / name).write_text(text)
    assert detect(tmp_path.resolve()) == expected


def test_lock_file_wins_over_declared_range(tmp_path):
    (tmp_path / "requirements.txt").write_text("restate-sdk<1\n")
    (tmp_path / "uv.lock").write_text('[[package]]\nname = "restate-sdk"\nversion = "0.10.0"\n')
    assert detect(tmp_path.resolve()) == (0, 10, 0)


def test_config_wins_over_pins(tmp_path):
    (tmp_path / "requirements.txt").write_text("restate-sdk==0.10.2\n")
    assert target_sdk_version(Settings(root=tmp_path, target_sdk_version=(1, 3, 0))) == (1, 3, 0)


def test_broken_dependency_file_means_newest(tmp_path):
    (tmp_path / "uv.lock").write_text("[[package\n")
    assert detect(tmp_path.resolve()) is None


@pytest.mark.parametrize(("pin", "severity"), [("restate-sdk==0.10.2", "error"), ("restate-sdk==1.3.0", "warning"), (None, "warning")])
def test_rst502_severity_follows_the_target(tmp_path, pin, severity):
    if pin:
        (tmp_path / "requirements.txt").write_text(pin + "\n")
    (tmp_path / "app.py").write_text(HANDLER)
    result = lint_paths([tmp_path / "app.py"], Settings(root=tmp_path))
    assert [(d.code, d.severity.value) for d in result.diagnostics] == [("RST502", severity)]
    # the TerminalError guard would still swallow an old SDK's suspension: no fix there
    assert (result.diagnostics[0].fix is None) == (severity == "error")
