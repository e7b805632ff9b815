"""Summarise: one module's model, bound from the module alone, reduced to what the link stage needs.

Whatever depends on other modules is recorded as a condition or a reference for the link stage
to settle: which parameters an argument's context comes from, which function a call or an action
names. A function whose context arrives from another module is not known to be durable here, so
its own effects are recorded whatever it turns out to be.
"""

from __future__ import annotations

from typing import Optional, Union

import libcst as cst

from restate_lint.analysis.calls import called_params, coroutine_awaited, returns_callable, run_argument_condition
from restate_lint.analysis.effects import Effects, function_sites
from restate_lint.analysis.module_state import stateful_functions
from restate_lint.analysis.sources import sources_of
from restate_lint.model import sdk
from restate_lint.model.agents import exported_agents, exported_pydantic_tools, integrations
from restate_lint.model.module import CallSite, ModuleModel, handler_decorators, run_action
from restate_lint.model.scope import Function
from restate_lint.model.services import argument, declared_kind, declared_name, literal_string
from restate_lint.project.summary import AgentsSummary, CallSummary, FunctionSummary, HandlerSummary, ModuleSummary, Ref, ServiceSummary

_GRAPH_CALLS = sdk.REQUEST_RESPONSE_CALLS | sdk.SENDS


def summarise(model: ModuleModel, settings) -> ModuleSummary:
    model.bind()
    _mark_local_actions(model)
    calls = [c for c in (_call(model, site) for site in model.calls) if c is not None]
    by_site = {c.index: i for i, c in enumerate(calls)}
    effects = Effects.of(model, settings)
    sources = sources_of(model, settings)
    stateful = stateful_functions(model)
    functions = tuple(_function(model, f, effects, sources, by_site, stateful.get(f)) for f in model.functions)
    services = list(model.services.values())
    return ModuleSummary(
        name=model.name,
        path=model.path,
        imports=tuple(sorted(_imports(model))),
        reexports=tuple((name, bs[0].qualname) for name, bs in model.bindings.items() if len(bs) == 1 and bs[0].kind == "import" and bs[0].qualname),
        definitions=tuple(name for name, bs in model.bindings.items() if len(bs) == 1 and bs[0].kind in ("def", "class", "assign")),
        classes=tuple(
            (name, tuple(model.resolve(base.value, None) for base in bs[0].node.bases))
            for name, bs in model.bindings.items() if len(bs) == 1 and bs[0].kind == "class"
        ),  # fmt: skip
        except_types=tuple(sorted(_except_types(model))),
        functions=functions,
        services=tuple(ServiceSummary(s.var, s.kind, s.name, _exported(model, s.var, s.call)) for s in services),
        handlers=tuple(_handlers(model, services)),
        calls=tuple(calls),
        agents=_agents(model),
    )


def _agents(model: ModuleModel) -> AgentsSummary:
    found = integrations(model)
    local = tuple((tool.function.index, tool.framework, tool.journaled) for tool in found.tools)
    return AgentsSummary(
        tools=local + tuple(found.foreign_tools),
        agents=tuple(exported_agents(model)),
        pydantic_tools=tuple(exported_pydantic_tools(model)),
        wrapped=tuple(found.foreign_wrapped),
    )


def _mark_local_actions(model: ModuleModel) -> None:
    """Functions of this module given as run actions to what may be a context: so that their
    effects are not counted as their enclosing function's (the link stage decides for good)."""
    for site in model.calls:
        func = site.node.func
        if isinstance(func, cst.Attribute) and func.attr.value in ("run", "run_typed") and model.context_condition(func.value, site.function):
            action = run_action(site.node)
            target = model.function_ref(action, site.function) if action is not None else None
            if isinstance(target, Function):
                target.is_action = True


def _ref(found: Union[Function, str, None]) -> Ref:
    return found.index if isinstance(found, Function) else found


def _imports(model: ModuleModel) -> set[str]:
    scopes = [model.bindings, *(f.bindings for f in model.functions)]
    return {b.qualname for bindings in scopes for bs in bindings.values() for b in bs if b.kind == "import" and b.qualname}


def _except_types(model: ModuleModel) -> set[str]:
    found = set()
    for site in model.sites[cst.ExceptHandler]:
        kind = site.node.type
        for expr in kind.elements if isinstance(kind, cst.Tuple) else [kind] if kind is not None else []:
            name = model.resolve(expr.value if isinstance(expr, cst.Element) else expr, site.function)
            if name:
                found.add(name)
    return found


def _exported(model: ModuleModel, var: str, call: cst.Call) -> bool:
    bindings = model.bindings.get(var, [])
    return len(bindings) == 1 and bindings[0].kind == "assign" and bindings[0].node is call


def _handlers(model: ModuleModel, services: list) -> list[HandlerSummary]:
    index = {id(s): i for i, s in enumerate(services)}
    found = []
    for function in model.functions:
        for decorator, method, service_expr in handler_decorators(function):
            local = model.service_of(service_expr, function.parent)
            service: Union[int, str, None] = index[id(local)] if local is not None else model.resolve(service_expr, function.parent)
            if service is not None:
                found.append(HandlerSummary(function.index, service, method, declared_name(decorator, function), declared_kind(decorator)))
    return found


def _function(model: ModuleModel, function: Function, effects: Effects, sources, by_site: dict, mutates: Optional[str]) -> FunctionSummary:
    sites = function_sites(model, function)
    effect = effects.heaviest(model, sites)
    params = function.node.params
    return FunctionSummary(
        qualname=function.qualname,
        name=function.name,
        parent=function.parent.index if function.parent is not None else None,
        is_async=function.is_async,
        is_lambda=function.is_lambda,
        positional=tuple(p.name.value for p in (*params.posonly_params, *params.params)),
        contexts=tuple(sorted(function.context_params)),
        gets_context=function.gets_context,
        effect=(effect[1].display, effect[1].kind) if effect is not None else None,
        calls=tuple(by_site[i] for i in (site_index(model, s) for s in sites if isinstance(s, CallSite)) if i in by_site),
        returns_callable=not function.is_async and not function.is_lambda and returns_callable(function),
        return_source=sources.returned(function) if function.parent is None and not function.is_lambda else None,  # what another module can call
        mutates=mutates,
        called_params=called_params(function),
    )


def _call(model: ModuleModel, site: CallSite) -> Optional[CallSummary]:
    """The call as the link stage needs it, or None when nothing about it crosses modules."""
    call, function = site.node, site.function
    func = call.func
    method, receiver = "", frozenset()
    if isinstance(func, cst.Attribute):
        method = func.attr.value
        if method in sdk.CONTEXT_OPS:
            receiver = model.context_condition(func.value, function)
    callee = _ref(model.function_ref(func, function)) if isinstance(func, (cst.Name, cst.Attribute)) and not receiver else None
    context_args = tuple(
        (arg.keyword.value if arg.keyword else position, condition)
        for position, arg in enumerate(call.args)
        if not arg.star and (condition := model.context_condition(arg.value, function))
    )
    if callee is None and not receiver and not context_args:
        return None
    extra: dict = {}
    if callee is not None:
        extra["function_args"] = _function_args(model, call, function)
    if receiver and method in ("run", "run_typed"):
        action = run_action(call)
        extra["action"] = _ref(model.function_ref(action, function)) if action is not None else None
    elif receiver and method in _GRAPH_CALLS:
        extra.update(_graph_call(model, site, method))
    return CallSummary(
        index=site_index(model, site),
        function=function.index if function is not None else None,
        callee=callee,
        context_args=context_args,
        method=method,
        receiver=receiver,
        awaited=coroutine_awaited(model, site) if callee is not None else site.awaited,
        inside_run=run_argument_condition(model, site) if callee is not None else frozenset(),
        **extra,
    )


def _function_args(model: ModuleModel, call: cst.Call, function: Optional[Function]) -> tuple:
    """The arguments that name a function (of this module, or a qualified name to resolve)."""
    found = []
    for position, arg in enumerate(call.args):
        if not arg.star and isinstance(arg.value, (cst.Name, cst.Attribute)):
            ref = _ref(model.function_ref(arg.value, function))
            if ref is not None:
                found.append((arg.keyword.value if arg.keyword else position, ref))
    return tuple(found)


def site_index(model: ModuleModel, site: CallSite) -> int:
    if "_call_index" not in model.analyses:
        model.analyses["_call_index"] = {id(s): i for i, s in enumerate(model.calls)}
    return model.analyses["_call_index"][id(site)]


def _graph_call(model: ModuleModel, site: CallSite, method: str) -> dict:
    call, function = site.node, site.function
    found: dict = {}
    if method.startswith("generic_"):
        service_arg, handler_arg = argument(call, 0, "service"), argument(call, 1, "handler")
        found["generic"] = (literal_string(service_arg.value) if service_arg else None, literal_string(handler_arg.value) if handler_arg else None)
    else:
        target = argument(call, 0, "tpe")
        if target is not None and isinstance(target.value, (cst.Name, cst.Attribute)):
            found["target"] = _ref(model.function_ref(target.value, function))
    position = sdk.KEY_POSITION.get(method)
    key = argument(call, position, "key") if position is not None else None
    if key is not None:
        found["key_text"] = model.tree.code_for_node(key.value)
        found["key_literal"] = literal_string(key.value)
        found["own_key"] = model.key_condition(key.value, function)
    if method in sdk.SENDS:
        found["delayed"] = argument(call, sdk.SEND_DELAY_POSITION[method], "send_delay") is not None
    return found
