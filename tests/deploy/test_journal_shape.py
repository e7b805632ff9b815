"""Journal shapes: the durable operations a handler issues, in the order the SDK journals them,
with branches as alternatives and loops as repetitions."""

from __future__ import annotations

import textwrap
from pathlib import Path

from restate_lint.config import Settings
from restate_lint.deploy.journal_shape import without_locations
from restate_lint.deploy.sources import tree_manifest

HEADER = """\
from datetime import timedelta
import restate

obj = restate.VirtualObject("Obj")
KEY = "total"
"""


def shape(tmp_path: Path, body: str, extra: str = "") -> list:
    (tmp_path / "app.py").write_text(HEADER + textwrap.dedent(extra) + "\n@obj.handler()\nasync def h(ctx: restate.ObjectContext, n: int) -> None:\n" + textwrap.indent(textwrap.dedent(body), "    "))
    manifest = tree_manifest(tmp_path, lambda root: Settings(root=root))
    return without_locations(manifest["journal"]["Obj"]["h"])


def test_sequence_in_call_order_with_constant_keys(tmp_path):
    found = shape(tmp_path, """\
        total = await ctx.get(KEY, type_hint=int) or 0
        await ctx.run_typed("charge", lambda: ctx_free(), restate.RunOptions())
        ctx.set(KEY, total + n)
        await ctx.sleep(timedelta(seconds=1))
        now = await ctx.time()
        ctx.key(), ctx.uuid()
    """, "def ctx_free():\n    return 1\n")
    assert found == [
        {"op": "get_state", "key": "total", "type": "int"},
        {"op": "run", "name": "charge"},
        {"op": "set_state", "key": "total"},
        {"op": "sleep"},
        {"op": "run", "name": "timestamp"},
    ]


def test_branches_and_loops(tmp_path):
    found = shape(tmp_path, """\
        if n > 1:
            await ctx.run_typed("big", f, restate.RunOptions())
        elif n > 0:
            pass
        else:
            ctx.clear("x")
        for i in range(n):
            await ctx.run_typed("step", f, restate.RunOptions())
        [await ctx.run_typed("each", f, restate.RunOptions()) for _ in range(n)]
        try:
            await ctx.object_call(h, key="k", arg=1)
        except restate.TerminalError:
            ctx.set("failed", True)
    """, "def f():\n    return 1\n")
    assert found == [
        {"alt": [[{"op": "run", "name": "big"}], [{"alt": [[], [{"op": "clear_state", "key": "x"}]]}]]},
        {"repeat": [{"op": "run", "name": "step"}]},
        {"repeat": [{"op": "run", "name": "each"}]},
        {"op": "call", "target": "Obj/h"},
        {"alt": [[], [{"op": "set_state", "key": "failed"}]]},
    ]


def test_same_module_helper_is_spliced_in(tmp_path):
    found = shape(tmp_path, """\
        await ctx.run_typed("first", f, restate.RunOptions())
        await helper(ctx)
    """, """\
    def f():
        return 1


    async def helper(ctx: restate.ObjectContext) -> None:
        ctx.set("seen", True)
        name, fut = ctx.awakeable()
        await fut
    """)
    assert found == [{"op": "run", "name": "first"}, {"op": "set_state", "key": "seen"}, {"op": "awakeable"}]


def test_helper_of_another_module_is_spliced_in(tmp_path):
    (tmp_path / "steps.py").write_text(textwrap.dedent("""\
        import restate


        async def reserve(ctx: restate.ObjectContext, n: int) -> None:
            ctx.set("reserved", n)
            await ctx.run_typed("notify", print, restate.RunOptions(), n)
    """))
    found = shape(tmp_path, """\
        await steps.reserve(ctx, n)
        ctx.clear("reserved")
    """, "import steps\n")
    assert found == [{"op": "set_state", "key": "reserved"}, {"op": "run", "name": "notify"}, {"op": "clear_state", "key": "reserved"}]
