"""Building blocks for fixes: how this module can name an SDK symbol, and common rewrites."""

from __future__ import annotations

from typing import Optional

import libcst as cst

from restate_lint.diagnostics import Fix, NodeEdit
from restate_lint.model.module import CallSite, ModuleModel
from restate_lint.model.scope import Function
from restate_lint.model.services import argument


def restate_ref(model: ModuleModel, public: str) -> Optional[str]:
    """Source text that names `restate.<public>` in this module (`RunOptions`, `rs.RunOptions`), or None."""
    return imported_name(model, f"restate.{public}")


def imported_name(model: ModuleModel, qualname: str) -> Optional[str]:
    """Source text that names `qualname` through this module's imports (`timedelta`, `dt.timedelta`), or None."""
    module, _, attr = qualname.rpartition(".")
    imports = [name for name, bindings in model.bindings.items() if len(bindings) == 1 and bindings[0].kind == "import"]
    for name in imports:
        if model.resolve(cst.Name(name), None) == qualname:
            return name
    for name in imports:
        if module and model.resolve(cst.Name(name), None) == module:
            return f"{name}.{attr}"
    return None


def reference(model: ModuleModel, qualname: str, function: Optional[Function]) -> Optional[tuple[str, list[NodeEdit]]]:
    """How code in `function` can name `qualname`: through an existing import, or by adding
    `from <module> import <name>` (when that name is free). None when neither works."""
    text = imported_name(model, qualname)
    if text is not None and model.resolve(cst.parse_expression(text), function) == qualname:
        return text, []
    module, _, attr = qualname.rpartition(".")
    if not module or model.bindings_of(cst.Name(attr), function)[1] or model.resolve(cst.Name(attr), function):
        return None
    anchor = _import_anchor(model.tree)
    return (attr, [NodeEdit(anchor, f"from {module} import {attr}\n", "before")]) if anchor is not None else None


def _import_anchor(tree: cst.Module) -> Optional[cst.CSTNode]:
    """The first statement a new import can go before: after the docstring and `__future__` imports."""
    for index, statement in enumerate(tree.body):
        if isinstance(statement, cst.SimpleStatementLine):
            small = statement.body[0]
            if index == 0 and isinstance(small, cst.Expr) and isinstance(small.value, (cst.SimpleString, cst.ConcatenatedString)):
                continue
            if isinstance(small, cst.ImportFrom) and isinstance(small.module, cst.Name) and small.module.value == "__future__":
                continue
        return statement
    return None


def add_await(model: ModuleModel, site: CallSite) -> Optional[Fix]:
    """`ctx.x(..)` -> `await ctx.x(..)`, where `await` is allowed (directly in an async def)."""
    if site.function is None or not site.function.is_async:
        return None
    return Fix("safe", "Add `await`", [NodeEdit(site.node, "await ", "before")])


def _has_comment(node: cst.CSTNode) -> bool:
    """Comments live in whitespace nodes, which only the full list of children reaches (libcst's
    matchers would find them too, at the cost of importing them: half a second)."""
    pending = [node]
    while pending:
        current = pending.pop()
        if isinstance(current, cst.Comment):
            return True
        pending.extend(current.children)
    return False


def move_call_into_run(model: ModuleModel, run: CallSite, action: cst.BaseExpression, inner: cst.Call) -> Optional[Fix]:
    """Pass the function `inner` calls as the run action and its arguments through the run call:
    `ctx.run_typed("x", f(a))` -> `ctx.run_typed("x", f, RunOptions(), a)`; `ctx.run("x", f(a))` ->
    `ctx.run("x", f, args=(a,))`. None when the arguments cannot be moved faithfully, or the
    action holds a comment the rewrite would drop."""
    if any(a.star for a in inner.args) or _has_comment(action):
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
