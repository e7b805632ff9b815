"""Building blocks for fixes: how this module can name an SDK symbol, and common rewrites."""

from __future__ import annotations

from typing import Optional

import libcst as cst
import libcst.matchers as m

from restate_lint.diagnostics import Fix, NodeEdit
from restate_lint.model.module import CallSite, ModuleModel
from restate_lint.model.services import argument


def restate_ref(model: ModuleModel, public: str) -> Optional[str]:
    """Source text that names `restate.<public>` in this module (`RunOptions`, `rs.RunOptions`), or None."""
    target = f"restate.{public}"
    for name, bindings in model.bindings.items():
        if len(bindings) == 1 and bindings[0].kind == "import":
            if model.resolve(cst.Name(name), None) == target:
                return name
    for name, bindings in model.bindings.items():
        if len(bindings) == 1 and bindings[0].kind == "import" and bindings[0].qualname == "restate":
            return f"{name}.{public}"
    return None


def add_await(model: ModuleModel, site: CallSite) -> Optional[Fix]:
    """`ctx.x(..)` -> `await ctx.x(..)`, where `await` is allowed (directly in an async def)."""
    if site.function is None or not site.function.is_async:
        return None
    return Fix("safe", "Add `await`", [NodeEdit(site.node, "await ", "before")])


def move_call_into_run(model: ModuleModel, run: CallSite, action: cst.BaseExpression, inner: cst.Call) -> Optional[Fix]:
    """Pass the function `inner` calls as the run action and its arguments through the run call:
    `ctx.run_typed("x", f(a))` -> `ctx.run_typed("x", f, RunOptions(), a)`; `ctx.run("x", f(a))` ->
    `ctx.run("x", f, args=(a,))`. None when the arguments cannot be moved faithfully, or the
    action holds a comment the rewrite would drop."""
    if any(a.star for a in inner.args) or m.findall(action, m.Comment()):
        return None
    code = model.tree.code_for_node
    func = code(inner.func)
    positional = [code(a.value) for a in inner.args if a.keyword is None]
    keywords = [f"{a.keyword.value}={code(a.value)}" for a in inner.args if a.keyword is not None]
    call = run.node
    method = run.op.method
    if not positional and not keywords:
        return Fix("safe", f"Pass `{func}` itself as the action", [NodeEdit(action, func)])
    if method == "run":
        if keywords or argument(call, None, "args") is not None or any(a.star for a in call.args):
            return None
        packed = "(" + ", ".join(positional) + ("," if len(positional) == 1 else "") + ")"
        if call.args[-1].value is action:
            edits = [NodeEdit(action, f"{func}, args={packed}")]
        else:
            edits = [NodeEdit(action, func), NodeEdit(call.args[-1], f", args={packed}", "after")]
        return Fix("safe", f"Pass `{func}` with `args=`", edits)
    plain = [a for a in call.args if a.keyword is None and not a.star]
    if any(a.keyword is not None or a.star for a in call.args) or len(plain) > 3:
        return None
    extra = ", ".join([*positional, *keywords])
    if len(plain) == 3:
        return Fix("safe", f"Pass `{func}` and its arguments through `run_typed`", [NodeEdit(action, func), NodeEdit(plain[2], f", {extra}", "after")])
    options = restate_ref(model, "RunOptions")
    if options is None:
        return None
    return Fix("safe", f"Pass `{func}` and its arguments through `run_typed`", [NodeEdit(action, f"{func}, {options}(), {extra}")])
