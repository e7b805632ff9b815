"""RST201-RST208: the context and `ctx.run` used in ways the SDK cannot honour."""

from __future__ import annotations

from typing import Iterator, Optional

import libcst as cst

from restate_lint.diagnostics import Finding, Fix, NodeEdit
from restate_lint.model import sdk
from restate_lint.model.module import CallSite, ModuleModel, run_action
from restate_lint.model.scope import Function
from restate_lint.model.services import argument
from restate_lint.analysis.calls import returns_callable
from restate_lint.analysis.holders import Holders
from restate_lint.rules.base import check
from restate_lint.rules.edits import add_await, move_call_into_run
from restate_lint.registry import RULES
from restate_lint.sdk_surface import Surface, for_settings, minor, table

RST201 = RULES["RST201"]
RST202 = RULES["RST202"]
RST203 = RULES["RST203"]
RST204 = RULES["RST204"]
RST205 = RULES["RST205"]
RST206 = RULES["RST206"]
RST207 = RULES["RST207"]
RST208 = RULES["RST208"]

RUNS = ("run", "run_typed")


def run_sites(model: ModuleModel) -> Iterator[CallSite]:
    return (s for s in model.durable_ops() if s.op.method in RUNS)


# -- RST201 ---------------------------------------------------------------------------------------
@check(RST201)
def context_in_run(model: ModuleModel, settings) -> Iterator[Finding]:
    holders = Holders.of(model)
    for site, method in _runs(model, holders):
        action = run_action(site.node)
        if action is None:
            continue
        for arg in _arguments_to_action(model, site, method, action):
            if model.is_context_value(arg, site.function):
                yield Finding("RST201", arg, "The Restate context is passed into a run action: the action must not use it. Do the durable call outside `ctx.run` and pass its result in")
        if isinstance(action, cst.Attribute):  # `ctx.run_typed("step", wrapper.step)`
            yield from _held_context_used(model, holders, action, site.function)
        function = model.action_function(action, site.function)
        if function is None or function.module is not model:
            continue
        for node, inner, ancestors in model.loads(function.node):
            if _bound_inside(node, inner, function):
                continue
            if model.is_context_value(node, inner):
                yield Finding("RST201", node, f"`{node.value}` is a Restate context used inside the run action: move this durable call out of `ctx.run` and pass its result in")
            elif ancestors and isinstance(ancestors[-1], cst.Attribute) and ancestors[-1].value is node:
                call = ancestors[-2] if len(ancestors) >= 2 and isinstance(ancestors[-2], cst.Call) and ancestors[-2].func is ancestors[-1] else None
                yield from _held_context_used(model, holders, ancestors[-1], inner, call)
        for call in function.calls + [c for child in _descendants(function) for c in child.calls]:
            if model.resolve(call.node.func, call.function) in sdk.CONTEXT_GETTERS:
                yield Finding("RST201", call.node, "A Restate context is fetched inside a run action: move the durable call out of `ctx.run`")


def _runs(model: ModuleModel, holders: Holders) -> Iterator[tuple[CallSite, str]]:
    """Run calls with their method: on a context, and on a context an object holds
    (`self.ctx.run_typed(..)` in a method of a wrapper, `wrapper.ctx.run(..)`)."""
    for site in model.calls:
        func = site.node.func
        if site.op is not None:
            if site.op.method in RUNS:
                yield site, site.op.method
        elif isinstance(func, cst.Attribute) and func.attr.value in RUNS and isinstance(func.value, cst.Attribute):
            if func.value.attr.value in holders.held(func.value.value, site.function)[1]:
                yield site, func.attr.value


def _held_context_used(model: ModuleModel, holders: Holders, attribute: cst.Attribute, function: Optional[Function], call: Optional[cst.Call] = None) -> Iterator[Finding]:
    """`holder.ctx` (a context the object holds) read inside a run action, or `holder.method`
    called (or run) there, a method that uses that context."""
    cls, held = holders.held(attribute.value, function)
    if not held:
        return
    holder, name = model.tree.code_for_node(attribute.value), attribute.attr.value
    if name in held:
        yield Finding("RST201", attribute, f"`{holder}.{name}` is the Restate context `{holder}` holds, used inside the run action: move this durable call out of `ctx.run` and pass its result in")
        return
    found = holders.uses(cls, name, held)
    if found is None:
        return
    use, method = found
    used = model.tree.code_for_node(use)
    what = f"`{holder}.{name}(..)` uses" if call is not None else f"The run action `{holder}.{name}` uses"
    finding = Finding(
        "RST201", call if call is not None else attribute,
        f"{what} the Restate context `{holder}` holds (`{used}` in `{method.qualname}`) inside the run action: "
        f"call it outside `ctx.run` and pass its result in",
    )  # fmt: skip
    finding.related = ((use, f"`{method.qualname}` uses the context here"),)
    yield finding


def _arguments_to_action(model: ModuleModel, site: CallSite, method: str, action: cst.BaseExpression) -> list[cst.BaseExpression]:
    """Values the run call forwards to its action: run_typed's extra arguments, run's `args=`,
    and arguments frozen into a `functools.partial`."""
    values: list[cst.BaseExpression] = []
    if method == "run_typed":
        plain = [a for a in site.node.args if a.keyword is None and not a.star]
        values += [a.value for a in plain[3:]] + [a.value for a in site.node.args if a.keyword is not None and a.keyword.value != "action"]
    else:
        args = argument(site.node, None, "args")
        if args is not None and isinstance(args.value, (cst.Tuple, cst.List)):
            values += [e.value for e in args.value.elements]
    if isinstance(action, cst.Call) and model.resolve(action.func, site.function) == "functools.partial":
        values += [a.value for a in action.args[1:]]
    return values


def _bound_inside(node: cst.Name, inner: Optional[Function], action: Function) -> bool:
    """The name is the action's own variable (a parameter of the action), not a captured context."""
    f = action.module.scope_of(node.value, inner)
    while f is not None:
        if f is action:
            return True
        f = f.parent
    return False


def _descendants(function: Function) -> Iterator[Function]:
    for child in function.children:
        yield child
        yield from _descendants(child)


# -- RST202 ---------------------------------------------------------------------------------------
_CONSUMERS = (cst.Await, cst.Arg, cst.Return, cst.Yield, cst.Assign, cst.AnnAssign, cst.ListComp, cst.SetComp, cst.GeneratorExp, cst.DictComp)


def is_awaitable_op(site: CallSite, surface: Optional[Surface] = None) -> bool:
    """A durable operation that returns a future, in the target SDK version when it is known (where
    the method is missing, RST212 reports it: no future to await)."""
    if site.op is None or not site.op.spec.awaitable:
        return False
    on_promise = site.op.category == "promise" and site.op.method != "promise"
    return surface is None or surface.returns_awaitable(site.op.method, on_promise) is not False


@check(RST202)
def unawaited_durable_op(model: ModuleModel, settings) -> Iterator[Finding]:
    surface = for_settings(settings)
    for site in model.durable_ops():
        if not is_awaitable_op(site, surface) or not site.in_durable_code:
            continue
        parent = site.parent
        call = f"ctx.{site.op.method}(..)"
        if isinstance(parent, cst.Expr):
            yield Finding("RST202", site.node, f"The future of `{call}` is dropped: `await` it (an unawaited `ctx.run` never runs its action; an unawaited call loses its result and failure)", add_await(model, site))
        elif isinstance(parent, cst.Return) and site.function.handler is not None:
            yield Finding("RST202", site.node, f"The handler returns the future of `{call}`, not its value: `await` it", add_await(model, site))
        elif isinstance(parent, (cst.Assign, cst.AnnAssign)):
            name = _single_name_target(parent)
            if name is not None and not _future_consumed(model, name, site.function):
                yield Finding("RST202", site.node, f"`{name}` holds the future of `{call}`, not its value, and is never awaited: write `{name} = await ...`", add_await(model, site))
    for site in model.durable_ops():
        if site.op.method == "awakeable" and site.in_durable_code and isinstance(site.parent, cst.Assign):
            target = site.parent.targets[0].target
            if isinstance(target, (cst.Tuple, cst.List)) and len(target.elements) == 2 and isinstance(target.elements[1].value, cst.Name):
                name = target.elements[1].value.value
                if not _future_consumed(model, name, site.function):
                    yield Finding("RST202", site.node, f"The awakeable's future `{name}` is never awaited: the handler never receives the awakeable's result. `await {name}` (or race it in `restate.select`)")


def _future_consumed(model: ModuleModel, name: str, function: Function) -> bool:
    """Some read of the future awaits it, hands it on (argument, return, assignment), or keeps it
    in a collection that is not simply returned from a handler as a value."""
    for _, ancestors in model.uses_of(name, model.scope_of(name, function)):
        parent = ancestors[-1] if ancestors else None
        if isinstance(parent, (cst.Element, cst.StarredElement, cst.DictElement)):
            container_parent = ancestors[-3] if len(ancestors) >= 3 else None
            if isinstance(container_parent, cst.Return) and function.handler is not None:
                continue  # `return {"keys": keys}`: the handler returns futures as values
            return True
        if isinstance(parent, _CONSUMERS):
            return True
    return False


def _single_name_target(statement: cst.CSTNode) -> Optional[str]:
    if isinstance(statement, cst.Assign) and len(statement.targets) == 1 and isinstance(statement.targets[0].target, cst.Name):
        return statement.targets[0].target.value
    if isinstance(statement, cst.AnnAssign) and isinstance(statement.target, cst.Name):
        return statement.target.value
    return None


# -- RST203 / RST204 ------------------------------------------------------------------------------
@check(RST203)
def run_action_not_callable(model: ModuleModel, settings) -> Iterator[Finding]:
    for site in run_sites(model):
        action = run_action(site.node)
        if not isinstance(action, cst.Call) or model.resolve(action.func, site.function) == "functools.partial":
            continue
        if _returns_callable(model, action, site.function):
            continue
        callee = model.tree.code_for_node(action.func)
        yield Finding(
            "RST203", action,
            f"The run action is the result of calling `{callee}(..)` (a coroutine or a value), not a callable: pass `{callee}` and its arguments separately",
            move_call_into_run(model, site, action, action),
        )  # fmt: skip


def _returns_callable(model: ModuleModel, call: cst.Call, function: Optional[Function]) -> bool:
    """The called project function is a factory: it returns a lambda, a local def or a partial."""
    callee = model.action_function(call.func, function) if isinstance(call.func, (cst.Name, cst.Attribute)) else None
    return callee is not None and not callee.is_async and not callee.is_lambda and returns_callable(callee)


@check(RST204)
def run_action_returns_coroutine(model: ModuleModel, settings) -> Iterator[Finding]:
    for site in run_sites(model):
        action = run_action(site.node)
        function = model.action_function(action, site.function) if action is not None else None
        if function is None or function.module is not model:
            continue
        for returned in _returned_values(function):
            if not isinstance(returned, cst.Call):
                continue
            callee = model.action_function(returned.func, function) if isinstance(returned.func, (cst.Name, cst.Attribute)) else None
            if callee is None or not callee.is_async:
                continue
            name = model.tree.code_for_node(returned.func)
            fix = move_call_into_run(model, site, action, returned) if function.is_lambda and not function.params else None
            yield Finding("RST204", returned, f"The action returns the coroutine of `{name}(..)` without awaiting it: pass `{name}` itself as the action", fix)


def _returned_values(function: Function) -> list[cst.BaseExpression]:
    if function.is_lambda:
        return [function.node.body]
    return [r.node.value for r in function.module.sites[cst.Return] if r.function is function and r.node.value is not None]


# -- RST205 ---------------------------------------------------------------------------------------
_FOREIGN = {"asyncio.create_task", "asyncio.ensure_future", "asyncio.sleep", "asyncio.gather", "asyncio.wait_for", "asyncio.shield"}


@check(RST205)
def foreign_awaitable_in_combinator(model: ModuleModel, settings) -> Iterator[Finding]:
    for site in model.calls:
        if not site.in_durable_code or model.callee_name(site) not in sdk.COMBINATORS:
            continue
        for arg in site.node.args:
            value = _collected_element(model, arg.value, site.function) if arg.star else arg.value
            what = _foreign_awaitable(model, value, site.function) if value is not None else None
            if what:
                yield Finding("RST205", arg.value, f"{what} is not a Restate future: Restate combinators fail the invocation permanently on it. Pass only futures from the context (`ctx.run_typed`, calls, `ctx.sleep`...)")


def _collected_element(model: ModuleModel, expr: cst.BaseExpression, function) -> Optional[cst.BaseExpression]:
    """For `*pending` with `pending = [make(x) for x in xs]`: the expression each element comes from."""
    if isinstance(expr, cst.Name):
        scope, bindings = model.bindings_of(expr, function)
        expr = bindings[0].node if len(bindings) == 1 and bindings[0].kind == "assign" else None
    if isinstance(expr, (cst.ListComp, cst.GeneratorExp)):
        return expr.elt
    if isinstance(expr, (cst.List, cst.Tuple)) and expr.elements:
        return expr.elements[0].value
    return None


def _foreign_awaitable(model: ModuleModel, expr: cst.BaseExpression, function: Optional[Function], depth: int = 0) -> Optional[str]:
    if isinstance(expr, cst.Call):
        name = model.resolve(expr.func, function)
        if name in _FOREIGN:
            return f"`{name}(..)`"
        callee = model.action_function(expr.func, function) if isinstance(expr.func, (cst.Name, cst.Attribute)) else None
        if callee is not None and callee.is_async:
            return f"The coroutine of `{model.tree.code_for_node(expr.func)}(..)`"
        return None
    if isinstance(expr, cst.Name) and depth < 3:
        scope, bindings = model.bindings_of(expr, function)
        if len(bindings) == 1 and bindings[0].kind == "assign" and bindings[0].index is None:
            return _foreign_awaitable(model, bindings[0].node, scope, depth + 1)
    return None


# -- RST206 ---------------------------------------------------------------------------------------
@check(RST206)
def gather_result_used_as_value(model: ModuleModel, settings) -> Iterator[Finding]:
    for site in model.sites[cst.Assign]:
        if not site.in_durable_code or not _is_gather_await(model, site.node.value, site.function):
            continue
        target = site.node.targets[-1].target
        if isinstance(target, (cst.Tuple, cst.List)):
            names = [e.value.value for e in target.elements if isinstance(e.value, cst.Name)]
            names += [e.value.value for e in target.elements if isinstance(e, cst.StarredElement) and isinstance(e.value, cst.Name)]
            used = [n for n in names if _used_as_value(model, n, site.function)]
            if used:
                yield Finding("RST206", site.node, f"`await restate.gather(..)` returns the futures, not their values: `{used[0]}` is used as a value without `await {used[0]}`")
        elif isinstance(target, cst.Name):
            scope = model.scope_of(target.value, site.function)
            for sub in model.sites[cst.Subscript]:
                value = sub.node.value
                if isinstance(value, cst.Name) and value.value == target.value and model.scope_of(value.value, sub.function) is scope and _is_value_use(model, sub.ancestors, sub.function):
                    yield Finding("RST206", sub.node, f"`{target.value}` holds the futures returned by `restate.gather`, not values: `await {model.tree.code_for_node(sub.node)}`")
    for sub in model.sites[cst.Subscript]:
        if sub.in_durable_code and _is_gather_await(model, sub.node.value, sub.function) and _is_value_use(model, sub.ancestors, sub.function):
            yield Finding("RST206", sub.node, "`await restate.gather(..)` returns the futures, not their values: await the item")


def _is_gather_await(model: ModuleModel, expr: cst.BaseExpression, function) -> bool:
    return isinstance(expr, cst.Await) and isinstance(expr.expression, cst.Call) and model.resolve(expr.expression.func, function) == "restate.gather"


def _is_value_use(model: ModuleModel, ancestors: tuple, function, depth: int = 0) -> bool:
    """A future read as if it were a value: anything but awaiting it, iterating over the list,
    handing it (alone or in a list) to a Restate combinator, or binding it to a name that is
    itself only used as a future."""
    parent = ancestors[-1] if ancestors else None
    if isinstance(parent, (cst.Await, cst.For, cst.CompFor)):
        return False
    if isinstance(parent, cst.Assign):
        name = _single_name_target(parent)
        return name is not None and depth < 3 and _used_as_value(model, name, function, depth + 1)
    i = len(ancestors) - 1
    while i >= 0 and isinstance(ancestors[i], (cst.Element, cst.StarredElement, cst.List, cst.Tuple)):
        i -= 1
    if i >= 0 and isinstance(ancestors[i], cst.Arg) and i >= 1 and isinstance(ancestors[i - 1], cst.Call):
        return model.resolve(ancestors[i - 1].func, function) not in sdk.COMBINATORS
    return True


def _used_as_value(model: ModuleModel, name: str, function: Function, depth: int = 0) -> bool:
    return any(_is_value_use(model, ancestors, function, depth) for _, ancestors in model.uses_of(name, model.scope_of(name, function)))


# -- RST207 ---------------------------------------------------------------------------------------
@check(RST207)
def run_options_misuse(model: ModuleModel, settings) -> Iterator[Finding]:
    surface = for_settings(settings)
    ignores_retry_duration = surface is not None and surface.ignores_max_retry_duration()
    for site in model.calls:
        if model.callee_name(site) == "restate.RunOptions":
            retry = argument(site.node, None, "max_retry_duration") if ignores_retry_duration else None
            if retry is not None:
                has_new = argument(site.node, None, "max_duration") is not None
                fix = None if has_new else Fix("safe", "Rename to `max_duration`", [NodeEdit(retry.keyword, "max_duration")])
                since = minor(table().since(Surface.ignores_max_retry_duration))
                yield Finding("RST207", site.node, f"`RunOptions(max_retry_duration=..)` is ignored since restate-sdk {since}: use `max_duration=`", fix)
        elif site.op is not None and site.op.method == "run_typed":
            options = argument(site.node, None, "options")
            if options is None:
                continue
            plain = [a for a in site.node.args if a.keyword is None and not a.star]
            if len(plain) >= 3 or any(a.star for a in site.node.args):
                continue  # options given positionally: `options=` is the action's own keyword
            first_keyword = next(a for a in site.node.args if a.keyword is not None)
            fix = None
            if len(plain) == 2 and first_keyword is options:
                fix = Fix("safe", "Pass the options positionally", [NodeEdit(options.keyword, "", until=options.value)])
            yield Finding("RST207", options, "`options=` is forwarded to the action as a keyword argument and the options are ignored: pass `RunOptions(..)` as the third positional argument", fix)


# -- RST208 ---------------------------------------------------------------------------------------
_CATCHES_TERMINAL = {"restate.TerminalError", "builtins.Exception", "builtins.BaseException"}
# The SDK's own exceptions also reach an awaited run: the suspension and the VM's errors (catching
# them is a different mistake, not dead code), and the cancellation of the task.
_SDK_INTERNAL = {
    f"{module}.{name}" for module in ("restate", "restate.exceptions")
    for name in ("SdkInternalBaseException", "SdkInternalException", "SuspendedException")
} | {"asyncio.CancelledError", "asyncio.exceptions.CancelledError"}  # fmt: skip


@check(RST208)
def unreachable_except_around_run(model: ModuleModel, settings) -> Iterator[Finding]:
    for site in model.sites[cst.Try]:
        if not site.in_durable_code or not _only_durable_statements(model, site.node.body, site.function):
            continue
        for handler in site.node.handlers:
            if handler.type is None:
                continue
            types = [e.value for e in handler.type.elements] if isinstance(handler.type, cst.Tuple) else [handler.type]
            names = [model.resolve(t, site.function) for t in types]
            if any(n is None or n in _CATCHES_TERMINAL or n in _SDK_INTERNAL or _may_be_terminal(model, n) for n in names):
                continue
            caught = model.tree.code_for_node(handler.type)
            yield Finding("RST208", handler, f"`except {caught}` never runs: exceptions raised inside a run action are retried by Restate, and only `TerminalError` reaches the handler. Catch `TerminalError` (raise it from the action to stop retries)")


def _may_be_terminal(model: ModuleModel, qualname: str) -> bool:
    """Could this exception class be `TerminalError` or derive from it? The project's classes are
    followed through their bases (the link stage does it); a base we cannot see gives the benefit
    of the doubt."""
    return qualname == "restate.TerminalError" or (model.facts is not None and qualname in model.facts.terminal_classes)


def _only_durable_statements(model: ModuleModel, body: cst.BaseSuite, function) -> bool:
    """Every statement of the try body awaits a durable operation (and at least one is a run), so
    nothing else in it can raise."""
    statements = body.body if isinstance(body, cst.IndentedBlock) else [body]
    has_run = False
    for statement in statements:
        if not isinstance(statement, cst.SimpleStatementLine) or len(statement.body) != 1:
            return False
        small = statement.body[0]
        value = small.value if isinstance(small, (cst.Expr, cst.Assign, cst.AnnAssign, cst.Return)) else None
        if not (isinstance(value, cst.Await) and isinstance(value.expression, cst.Call)):
            return False
        op = model.op_of(value.expression, function)
        if op is None or not op.spec.awaitable:
            return False
        has_run |= op.method in RUNS
        if isinstance(small, (cst.Assign, cst.AnnAssign)) and not all(isinstance(t.target, cst.Name) for t in getattr(small, "targets", [])):
            return False
    return has_run
