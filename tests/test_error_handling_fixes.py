"""The RST501/RST502 guard fixes produce valid code that lets the right exceptions through."""

from __future__ import annotations

import ast
from pathlib import Path

from restate_lint.config import Settings
from restate_lint.runner import lint_paths
from restate_lint.fixes import fix_paths

SOURCE = '''import restate as rs

svc = rs.Service("Svc")


@svc.handler()
async def run(ctx: rs.Context) -> str:
    e = "taken"
    if e:
        try:
            await ctx.sleep(1)
        except:
            pass
    try:
        return await ctx.run_typed("x", lambda: "x")
    except (ValueError, Exception) as boom:
        return str(boom)
'''

FIXED = '''import restate as rs

svc = rs.Service("Svc")


@svc.handler()
async def run(ctx: rs.Context) -> str:
    e = "taken"
    if e:
        try:
            await ctx.sleep(1)
        except BaseException as exc:
            if rs.is_internal_exception(exc):
                raise
            pass
    try:
        return await ctx.run_typed("x", lambda: "x")
    except (ValueError, Exception) as boom:
        if isinstance(boom, rs.TerminalError):
            raise
        return str(boom)
'''


def test_guard_fixes(tmp_path: Path):
    path = tmp_path / "app.py"
    path.write_text(SOURCE)
    result = lint_paths([path], Settings(root=tmp_path))
    assert [d.code for d in result.diagnostics] == ["RST501", "RST502"]
    assert all(d.fix is not None and d.fix.applicability == "unsafe" for d in result.diagnostics)
    outcome = fix_paths([path], Settings(root=tmp_path), unsafe=True)
    assert outcome.files[str(path)].text == FIXED
    ast.parse(FIXED)
    assert outcome.result.diagnostics == []


def test_no_fix_without_a_name_for_restate(tmp_path: Path):
    path = tmp_path / "app.py"
    path.write_text(SOURCE.replace("import restate as rs", "from restate import Context, Service").replace("rs.Service", "Service").replace("rs.Context", "Context"))
    result = lint_paths([path], Settings(root=tmp_path))
    assert [(d.code, d.fix) for d in result.diagnostics] == [("RST501", None), ("RST502", None)]
