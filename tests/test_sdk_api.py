"""RST212/RST213 on small programs: which references and calls the target SDK version rejects."""

from __future__ import annotations

import pytest

from restate_lint.config import Settings
from restate_lint.runner import lint_paths

HEADER = "import restate\nfrom restate import TerminalError\n\nsvc = restate.Service('Svc')\n\n\n@svc.handler()\nasync def go(ctx: restate.Context, x: str) -> str:\n"


def findings(tmp_path, body: str, version=(1, 3, 0), header: str = HEADER) -> list[tuple[int, str]]:
    (tmp_path / "app.py").write_text(header + body)
    result = lint_paths([tmp_path], Settings(root=tmp_path, select=("RST212", "RST213"), target_sdk_version=version))
    assert not result.internal_errors
    return sorted((d.start.row, d.code) for d in result.diagnostics)


BODY_ROW = HEADER.count("\n") + 1


@pytest.mark.parametrize(
    ("body", "code"),
    [
        ("    raise TerminalError()\n", "RST213"),  # `message` is required
        ("    raise TerminalError('m', message='n')\n", "RST213"),  # given twice
        ("    return await ctx.sleep(x, 'nap', True)\n", "RST213"),
        ("    return restate.vm.SuspendedException\n", "RST212"),
        ("    return ctx.no_such_method()\n", "RST212"),
    ],
)
def test_reported(tmp_path, body, code):
    assert findings(tmp_path, body) == [(BODY_ROW, code)]


@pytest.mark.parametrize(
    "body",
    [
        "    return await ctx.run_typed('x', str, options=restate.RunOptions())\n",  # into **kwargs: RST207's
        "    opts = (1,)\n    restate.RunOptions(*opts)\n    return ''\n",  # cannot count the arguments
        "    opts = {}\n    raise TerminalError(**opts)\n",
        "    return restate.vm.Suspended\n",
        "    return restate._internal\n",  # private: not in the table
        "    return ctx.vm\n",  # an attribute, not a call: may be set per instance
    ],
)
def test_quiet(tmp_path, body):
    assert findings(tmp_path, body) == []


def test_imports(tmp_path):
    header = (
        "import restate.nothing\n"
        "from restate.vm import *\n"
        "from restate.nowhere import *\n"
        "import restate as rs\n"
        "try:\n    import restate.extensions\nexcept ImportError:\n    pass\n"
        "OLD = rs.vm.SuspendedException\n"
    )  # fmt: skip
    assert findings(tmp_path, "", (0, 12, 0), header) == [(1, "RST212"), (3, "RST212"), (9, "RST212")]


def test_code_that_never_runs_is_not_checked(tmp_path):
    header = (
        "from __future__ import annotations\n"
        "from typing import TYPE_CHECKING\n"
        "import restate\n"
        "if TYPE_CHECKING:\n    from restate.vm import SuspendedException\n"
        "else:\n    from restate.vm import Gone\n"
        "def f(e: restate.vm.SuspendedException) -> restate.vm.Gone:\n    return e\n"
    )  # fmt: skip
    assert findings(tmp_path, "", (1, 3, 0), header) == [(7, "RST212")]


def test_targets_older_than_the_table_are_not_checked(tmp_path):
    assert findings(tmp_path, "    return restate.vm.Nothing\n", (0, 9, 1)) == []


def test_message_names_the_target_and_the_versions(tmp_path):
    (tmp_path / "app.py").write_text(HEADER + "    return restate.vm.SuspendedException\n")
    (tmp_path / "requirements.txt").write_text("restate_sdk==0.11.0\n")
    [diagnostic] = lint_paths([tmp_path], Settings(root=tmp_path, select=("RST212",))).diagnostics
    assert "restate-sdk 0.11.0 (the version the project targets)" in diagnostic.message
    assert "up to restate-sdk 0.10, removed in 0.11" in diagnostic.message
    assert "is_internal_exception" not in diagnostic.message  # 0.11 has no such function
