"""RST201 through objects holding a context: the odd shapes of `__init__` and constructions are read
without failing, and only what is certain is reported."""

from __future__ import annotations

from pathlib import Path

from restate_lint.config import Settings
from restate_lint.runner import lint_paths

ODD = """\
import restate

svc = restate.VirtualObject("Odd")


class A:
    def __init__(self, ctx): self.ctx = ctx; pass


class B:
    def __init__(self, ctx, *rest, **kw):
        pass
        "doc"
        self.ctx = ctx
        self.x: int
        (self.y) = 3
        self.z, self.w = ctx, ctx

    def m(self):
        return self.ctx.key()


class C: pass


@svc.handler()
async def h(ctx: restate.ObjectContext) -> str:
    a = A(ctx)
    b = B(*[ctx])
    b2 = B(ctx=ctx)
    c = C()
    return await ctx.run_typed("x", lambda: a.ctx.key() + b.m() + b2.m() + str(c))
"""


def test_odd_classes_and_constructions(tmp_path: Path) -> None:
    (tmp_path / "odd.py").write_text(ODD, encoding="utf-8")
    result = lint_paths([tmp_path], Settings(root=tmp_path))
    assert result.internal_errors == []
    found = [(d.start.row, d.start.column, d.message.split(" ")[0]) for d in result.diagnostics if d.code == "RST201"]
    # a one-line __init__ is read; `B(*[ctx])` hides which parameter gets the context: not followed
    assert found == [(32, 45, "`a.ctx`"), (32, 67, "`b2.m(..)`")]
