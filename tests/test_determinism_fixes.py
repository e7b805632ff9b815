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


@pytest.mark.parametrize(
    "body, applicability",
    [
        ("    first = ctx.uuid()\n    return [first, uuid.uuid4()]", "safe"),  # the draw before keeps its value
        ("    order = uuid.uuid4()\n    ctx.set('k', str(ctx.uuid()))\n    return order", "unsafe"),  # a later draw shifts
        ("    x = random.random()\n    return x + ctx.random().random()", "unsafe"),
        ("    return [(uuid.uuid4(), ctx.uuid()) for _ in items][0]", "unsafe"),  # the next round's draw follows
        ("    for _ in items:\n        ctx.set('k', str(ctx.uuid()))\n        ctx.set('j', str(uuid.uuid4()))", "unsafe"),
        ("    rng = ctx.random()\n    x = uuid.uuid4()\n    return rng.random(), x", "unsafe"),  # draws wherever rng is used
        ("    x = uuid.uuid4()\n    await handle(ctx, items)\n    return x", "unsafe"),  # a helper given ctx may draw
        ("    def later():\n        return ctx.uuid()\n    return uuid.uuid4(), later()", "unsafe"),  # a nested def runs any time
        ("    await ctx.run_typed('x', lambda: random.random())\n    return uuid.uuid4()", "safe"),  # actions don't draw from ctx
        ("    return sorted(items, key=lambda _: random.random())", "safe"),  # the lambda runs where it stands
        ("    return sorted(items, key=lambda _: random.random()), ctx.uuid()", "unsafe"),
        ("    return sorted(items, key=lambda _: (ctx.random().random(), random.random()))", "unsafe"),  # next key call
    ],
)  # fmt: skip
def test_a_new_draw_is_safe_only_when_no_draw_follows(tmp_path: Path, body: str, applicability: str) -> None:
    """`ctx.uuid()` and `ctx.random()` share the invocation's seeded generator: inserting a draw
    shifts every later value, which in-flight invocations journaled."""
    path = tmp_path / "svc.py"
    path.write_text(HEADER + body + "\n")
    [diagnostic] = lint(path, "RST101")
    assert diagnostic.fix is not None and diagnostic.fix.applicability == applicability


def test_a_context_helper_draws_unsafely(tmp_path: Path) -> None:
    """A helper's callers may draw after calling it."""
    path = tmp_path / "svc.py"
    path.write_text(HEADER + "    return 1\n\n\nasync def mint(ctx: restate.Context) -> str:\n    return str(uuid.uuid4())\n")
    [diagnostic] = lint(path, "RST101")
    assert diagnostic.fix is not None and diagnostic.fix.applicability == "unsafe"
