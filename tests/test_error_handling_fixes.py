"""The RST501/RST502 guard fixes produce valid code that lets the right exceptions through."""

from __future__ import annotations

import ast
from pathlib import Path

from restate_lint.config import Settings
from restate_lint.engine import lint_paths

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


def _apply(text: str, edits) -> str:
    lines = text.splitlines(keepends=True)
    starts = [0]
    for line in lines:
        starts.append(starts[-1] + len(line))
    offset = lambda p: starts[p.row - 1] + p.column - 1  # noqa: E731
    for edit in sorted(edits, key=lambda e: offset(e.start), reverse=True):
        text = text[: offset(edit.start)] + edit.content + text[offset(edit.end) :]
    return text


def test_guard_fixes(tmp_path: Path):
    path = tmp_path / "app.py"
    path.write_text(SOURCE)
    result = lint_paths([path], Settings(root=tmp_path))
    assert [d.code for d in result.diagnostics] == ["RST501", "RST502"]
    assert all(d.fix is not None and d.fix.applicability == "unsafe" for d in result.diagnostics)
    fixed = _apply(SOURCE, [e for d in result.diagnostics for e in d.fix.edits])
    assert fixed == FIXED
    ast.parse(fixed)
    path.write_text(fixed)
    assert lint_paths([path], Settings(root=tmp_path)).diagnostics == []


def test_no_fix_without_a_name_for_restate(tmp_path: Path):
    path = tmp_path / "app.py"
    path.write_text(SOURCE.replace("import restate as rs", "from restate import Context, Service").replace("rs.Service", "Service").replace("rs.Context", "Context"))
    result = lint_paths([path], Settings(root=tmp_path))
    assert [(d.code, d.fix) for d in result.diagnostics] == [("RST501", None), ("RST502", None)]
