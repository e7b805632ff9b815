"""Fixes of the determinism rules rewrite code as RULES.md says, and stay away where they would change meaning."""

from __future__ import annotations

import ast
from pathlib import Path

import pytest

from restate_lint.config import Settings
from restate_lint.runner import lint_paths
from restate_lint.fixes import apply_fixes
from restate_lint.source import SourceFile


def apply(path: Path, diagnostic) -> str:
    """The file's text with this one fix applied by the fix engine (which checks the result parses)."""
    text, applied, rejected = apply_fixes(SourceFile(str(path), path.read_bytes()), [diagnostic])
    assert applied == [diagnostic], rejected
    return text


def lint(path: Path, code: str):
    return [d for d in lint_paths([path], Settings(root=path.parent, select=(code,))).diagnostics if d.code == code]


HEADER = """import asyncio
import random
import time
import uuid
from datetime import datetime

import restate

svc = restate.Service("Svc")


async def work() -> int:
    return 1


@svc.handler()
async def handle(ctx: restate.Context, items: list[str]):
"""


@pytest.mark.parametrize(
    "line, code, applicability, fixed",
    [
        ("    return uuid.uuid4()", "RST101", "safe", "    return ctx.uuid()"),
        ("    return random.choice(items)", "RST101", "safe", "    return ctx.random().choice(items)"),
        ("    return time.time() + 1", "RST101", "unsafe", "    return await ctx.time() + 1"),
        ("    return datetime.now().year", "RST101", "unsafe", "    return datetime.fromtimestamp(await ctx.time()).year"),
        ("    await asyncio.sleep(2)", "RST106", "unsafe", "    await ctx.sleep(timedelta(seconds=2))"),
        (
            "    return await asyncio.gather(ctx.service_call(handle, arg=[]), ctx.sleep(1))",
            "RST106", "safe",
            "    return [await f for f in await restate.gather(ctx.service_call(handle, arg=[]), ctx.sleep(1))]",
        ),
        ("    for i in set(items): ctx.set(i, 1)", "RST104", "unsafe", "    for i in sorted(set(items)): ctx.set(i, 1)"),
    ],
)  # fmt: skip
def test_fix_rewrites_as_the_rules_say(tmp_path: Path, line: str, code: str, applicability: str, fixed: str) -> None:
    path = tmp_path / "svc.py"
    path.write_text(HEADER + line + "\n")
    [diagnostic] = lint(path, code)
    assert diagnostic.fix is not None and diagnostic.fix.applicability == applicability
    result = apply(path, diagnostic)
    assert fixed in result.splitlines()
    ast.parse(result)


@pytest.mark.parametrize(
    "line, code",
    [
        ("    return sorted(items, key=lambda i: time.time())", "RST101"),  # `await` cannot go in a lambda
        ("    return sum(time.time() for _ in items)", "RST101"),  # nor in a generator expression
        ("    return await asyncio.gather(ctx.service_call(handle, arg=[]), work())", "RST106"),  # not all durable
        ("    asyncio.sleep(2)", "RST106"),  # not awaited: no durable sleep to put there
    ],
)
def test_no_fix_where_it_would_change_meaning(tmp_path: Path, line: str, code: str) -> None:
    path = tmp_path / "svc.py"
    path.write_text(HEADER + line + "\n")
    assert [d.fix for d in lint(path, code)] == [None]
