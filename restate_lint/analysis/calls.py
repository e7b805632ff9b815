"""Which function a call runs, and whether it runs the body now."""

from __future__ import annotations

from typing import Union

import libcst as cst

from restate_lint.model.facts import Condition, ForeignFunction
from restate_lint.model.module import CallSite, ModuleModel, run_action
from restate_lint.model.scope import Function


def run_argument_condition(model: ModuleModel, site: CallSite) -> Condition:
    """When the call is itself the action argument of a run call (`ctx.run("x", f())`): the
    condition under which that run call's receiver is a context."""
    parent = site.parent
    if isinstance(parent, cst.Arg) and len(site.ancestors) >= 2:
        owner = model.call_sites.get(site.ancestors[-2])
        func = owner.node.func if owner is not None else None
        if isinstance(func, cst.Attribute) and func.attr.value in ("run", "run_typed") and run_action(owner.node) is site.node:
            return model.context_condition(func.value, owner.function)
    return frozenset()


def coroutine_awaited(model: ModuleModel, site: CallSite) -> bool:
    """The call's coroutine is awaited directly or through the name it is bound to."""
    if site.awaited:
        return True
    parent = site.parent
    if isinstance(parent, cst.Assign) and len(parent.targets) == 1 and isinstance(parent.targets[0].target, cst.Name):
        name = parent.targets[0].target.value
        return (model.scope_of(name, site.function), name) in _awaited_names(model)
    return False


def _awaited_names(model: ModuleModel) -> set:
    """(scope, name) of every variable awaited as such (`await fut`), from the indexed awaits."""
    found = model.analyses.get("awaited names")
    if found is None:
        found = model.analyses["awaited names"] = set()
        for site in model.sites[cst.Await]:
            expr = site.node.expression
            if isinstance(expr, cst.Name):
                found.add((model.scope_of(expr.value, site.function), expr.value))
    return found


def called_function(model: ModuleModel, site: CallSite) -> Union[Function, ForeignFunction, None]:
    """The project function a call runs, if the call runs its body now: not a run action given
    as a call (`ctx.run("x", f())`), not an `async def` whose coroutine is never awaited here."""
    func = site.node.func
    if not isinstance(func, (cst.Name, cst.Attribute)) or site.op is not None:
        return None
    callee = model.action_function(func, site.function)
    if callee is None or callee.is_lambda or model.holds(run_argument_condition(model, site)):
        return None
    if callee.is_async and not coroutine_awaited(model, site):
        return None
    return callee


def returns_callable(function: Union[Function, ForeignFunction]) -> bool:
    """The function is a factory: it returns a lambda, a def or a partial."""
    if isinstance(function, ForeignFunction):
        return function.returns_callable
    for ret in function.module.sites_in(function, cst.Return):
        value = ret.node.value
        if value is not None and (isinstance(value, cst.Lambda) or function.module.action_function(value, function) is not None):
            return True
    return False


def called_params(function: Function) -> tuple[tuple[int, str], ...]:
    """The function's parameters (never rebound) that it calls (`fn(*args)`), with their
    positions: a higher-order helper runs what it is handed, outside any run action (RST107)."""
    called = {site.node.func.value for site in function.calls if isinstance(site.node.func, cst.Name)}
    names = [p.name.value for p in function.params]
    return tuple((i, name) for i, name in enumerate(names) if name in called and len(function.bindings.get(name, ())) == 1)
