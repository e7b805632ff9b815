"""Journal shapes: the durable operations a handler issues, in the order the SDK journals them,
with branches as alternatives and loops as repetitions."""

from __future__ import annotations

import textwrap
from pathlib import Path

from restate_lint.config import Settings
from restate_lint.deploy.journal_shape import same_entry, without_locations
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


def test_fstring_names_keep_their_constant_parts_conversions_and_specs(tmp_path):
    found = shape(tmp_path, """\
        await ctx.run_typed(f"charge {n}", f, restate.RunOptions())
        await ctx.run_typed(f"charge {n!r:>{n}}", f, restate.RunOptions())
        ctx.set(f"item-{n}-{KEY}", n)
        await ctx.run_typed(NAME, f, restate.RunOptions())
    """, 'NAME = f"step {KEY}"\n\n\ndef f():\n    return 1\n')
    assert found == [
        {"op": "run", "name": "charge {}", "formatted": True},
        {"op": "run", "name": "charge {!r:>{}}", "formatted": True},
        {"op": "set_state", "key": "item-{}-{}", "formatted": True},
        {"op": "run", "name": "step {}", "formatted": True},
    ]


def test_constants_of_other_modules_through_imports_reexports_and_star_imports(tmp_path):
    (tmp_path / "names.py").write_text('CHARGE = "charge"\nCOUNT = "count"\n_HIDDEN = "hidden"\n')
    (tmp_path / "reexport.py").write_text("from names import COUNT as TOTAL\n")
    (tmp_path / "star.py").write_text("from reexport import *\n")
    found = shape(tmp_path, """\
        await ctx.run_typed(CHARGE, f, restate.RunOptions())
        await ctx.run_typed(names.CHARGE, f, restate.RunOptions())
        ctx.set(TOTAL, n)
        ctx.clear(_HIDDEN)
    """, "import names\nfrom names import CHARGE\nfrom star import *\nfrom names import *\n\n\ndef f():\n    return 1\n")
    # `_HIDDEN` is not followed: a `*` import skips private names
    assert found == [
        {"op": "run", "name": "charge"},
        {"op": "run", "name": "charge"},
        {"op": "set_state", "key": "count"},
        {"op": "clear_state", "key": None},
    ]


def test_helpers_and_call_targets_through_star_imports_also_relative_ones(tmp_path):
    package = tmp_path / "shop"
    package.mkdir()
    (package / "__init__.py").write_text("")
    (package / "steps.py").write_text(textwrap.dedent("""\
        import restate


        async def reserve(ctx: restate.ObjectContext, n: int) -> None:
            ctx.set("reserved", n)
    """))
    (package / "app.py").write_text(textwrap.dedent("""\
        import restate
        from .steps import *
        from .other import *

        obj = restate.VirtualObject("Shop")


        @obj.handler()
        async def h(ctx: restate.ObjectContext, n: int) -> None:
            await reserve(ctx, n)
            await ctx.object_call(ping, key="k", arg=n)
    """))
    (package / "other.py").write_text(textwrap.dedent("""\
        import restate

        peers = restate.VirtualObject("Peers")


        @peers.handler()
        async def ping(ctx: restate.ObjectContext, n: int) -> int:
            return n
    """))
    manifest = tree_manifest(tmp_path, lambda root: Settings(root=root))
    assert without_locations(manifest["journal"]["Shop"]["h"]) == [{"op": "set_state", "key": "reserved"}, {"op": "call", "target": "Peers/ping"}]


def test_a_call_target_found_in_one_version_and_only_named_in_the_other_is_not_a_change():
    call = {"op": "call", "target": "flights/reserve"}
    assert same_entry(call, {"op": "call", "target": "activities.flight_service.reserve"})
    assert same_entry({"op": "call", "target": "reserve"}, call)
    assert not same_entry(call, {"op": "call", "target": "activities.flight_service.cancel"})
    assert not same_entry(call, {"op": "call", "target": "hotels/reserve"})
    assert not same_entry({"op": "call", "target": "a.reserve"}, {"op": "call", "target": "b.reserve"})
    assert not same_entry(call, {"op": "send", "target": "activities.flight_service.reserve"})


def test_a_context_variable_set_to_the_context_journals_nothing(tmp_path):
    (tmp_path / "context.py").write_text(textwrap.dedent("""\
        import contextvars

        import restate

        current = contextvars.ContextVar[restate.Context]("restate_context")
        plain = contextvars.ContextVar("plain")
    """))
    found = shape(tmp_path, """\
        context.current.set(ctx)
        context.plain.set(ctx)
        registry.set(ctx)
        await ctx.run_typed("step", f, restate.RunOptions())
    """, "import context\nimport registry\n\n\ndef f():\n    return 1\n")
    assert found == [{"op": "helper", "target": "registry.set"}, {"op": "run", "name": "step"}]


def test_handler_types_with_methods_and_one_line_bodies_are_read(tmp_path):
    (tmp_path / "app.py").write_text(textwrap.dedent("""\
        import pydantic
        import restate

        svc = restate.Service("Types")


        class Request(pydantic.BaseModel):
            name: str
            if True:
                flag: bool = False

            def shout(self) -> str:
                return self.name.upper()


        class Reply(pydantic.BaseModel): text: str


        @svc.handler()
        async def h(ctx: restate.Context, request: Request) -> Reply:
            return Reply(text=request.shout())
    """))
    types = tree_manifest(tmp_path, lambda root: Settings(root=root))["types"]
    assert types["app.Request"]["fields"] == {"name": {"type": "str", "default": False}}
    assert types["app.Reply"]["fields"] == {"text": {"type": "str", "default": False}}
