"""RST301-RST305: handlers and services defined in ways the Restate server or SDK rejects."""

from __future__ import annotations

import re
from typing import Iterator, Optional

import libcst as cst

from restate_lint.diagnostics import Finding, Fix, NodeEdit
from restate_lint.model import sdk
from restate_lint.model.module import ModuleModel
from restate_lint.model.services import Handler, argument
from restate_lint.rules.base import check
from restate_lint.rules.edits import restate_ref
from restate_lint.registry import RULES

RST301 = RULES["RST301"]
RST302 = RULES["RST302"]
RST303 = RULES["RST303"]
RST304 = RULES["RST304"]
RST305 = RULES["RST305"]

_KIND_WORDS = {
    sdk.SERVICE: "a service handler",
    sdk.EXCLUSIVE: "an exclusive virtual-object handler",
    sdk.SHARED: "a shared virtual-object handler",
    sdk.WORKFLOW_MAIN: "a workflow `main()` handler",
    sdk.WORKFLOW_SHARED: "a workflow `handler()` (always shared)",
}


def _root_handler(site) -> Optional[Handler]:
    root = site.function.durable_root() if site.function is not None else None
    return root.handler if root is not None else None


def _shared_callers(model: ModuleModel, site) -> list[str]:
    """The shared handlers running the context helper this site stands in."""
    root = site.function.durable_root() if site.function is not None else None
    if root is None or model.facts is None:
        return []
    return [label for label, _, kind in model.facts.handlers_of_helper(root.index) if kind in (sdk.SHARED, sdk.WORKFLOW_SHARED)]


@check(RST301, RST302)
def api_per_handler_kind(model: ModuleModel, settings) -> Iterator[Finding]:
    mistaken = _mistaken_mains(model)
    for site in model.durable_ops():
        if not site.in_durable_code:
            continue
        handler = _root_handler(site)
        method = site.op.method
        if handler is not None and id(handler) in mistaken:
            continue  # its writes are a main()'s: the missing main() is RST305's one finding
        if handler is None:
            shared = _shared_callers(model, site) if method in sdk.STATE_WRITES else []
            if shared:
                yield Finding("RST301", site.node, f"`ctx.{method}(..)` in `{site.function.durable_root().name}`, a helper run by the shared handler{'s' if len(shared) > 1 else ''} {', '.join(f'`{s}`' for s in shared)}: shared handlers can only read state (the server rejects the write with RT0017 on every attempt, then pauses the invocation). Write from an exclusive handler (or the workflow's `main()`)")
            continue
        if handler.kind is None:
            continue
        if method in sdk.STATE_WRITES and handler.kind in (sdk.SHARED, sdk.WORKFLOW_SHARED):
            yield Finding("RST301", site.node, f"`ctx.{method}(..)` in {_KIND_WORDS[handler.kind]}: shared handlers can only read state (the server rejects the write with RT0017 on every attempt, then pauses the invocation). Move the write to an exclusive handler (or the workflow's `main()`)")
        elif handler.kind == sdk.SERVICE and (method in sdk.STATE_APIS or method == "key"):
            yield Finding("RST302", site.node, f"`ctx.{method}()` in a plain Service handler: services have no key and no state (RT0017 failed precondition on every attempt, then the invocation is paused). Use a VirtualObject or Workflow")
        elif method == "promise" and handler.service.kind != "workflow":
            yield Finding("RST302", site.node, "`ctx.promise(..)` exists only in workflows: use an awakeable (`ctx.awakeable()`) here, or make this a Workflow")


@check(RST303)
def context_annotation_mismatch(model: ModuleModel, settings) -> Iterator[Finding]:
    mistaken = _mistaken_mains(model)
    for handler in model.handlers:
        found = _context_annotation(model, handler)
        if found is None or id(handler) in mistaken:
            continue  # a mistaken main() is RST305's finding: the annotation is the one thing right
        expr = handler.context_param.annotation.annotation
        expected = sdk.CONTEXT_TYPE_FOR_KIND[handler.kind]
        if found not in sdk.CONTEXT_TYPES or found == expected:
            continue
        short = expected.rsplit(".", 1)[-1]
        fix = _annotation_fix(model, expr, short)
        hint = ' (or, if it only reads state, declare it `kind="shared"`)' if handler.kind == sdk.EXCLUSIVE and found == "restate.ObjectSharedContext" else ""
        yield Finding("RST303", expr, f"{_KIND_WORDS[handler.kind].capitalize()} receives `{short}`, not `{found.rsplit('.', 1)[-1]}`: annotate the context as `{short}`{hint} so type checkers see the API the server allows", fix)


def _context_annotation(model: ModuleModel, handler) -> Optional[str]:
    """What a handler's context is annotated as, when that is a plain name (unions and strings:
    intent unclear, left to the author)."""
    param = handler.context_param
    if handler.kind is None or param is None or param.annotation is None:
        return None
    expr = param.annotation.annotation
    return model.resolve(expr, handler.function.parent) if isinstance(expr, (cst.Name, cst.Attribute)) else None


def _meant_as_main(model: ModuleModel) -> dict[int, list]:
    """For each workflow of this module without a `main()`, its `handler()`s here that take a
    `WorkflowContext`, as only a `main()` does: the author's `main()`, declared with the wrong method."""
    facts = model.facts
    if facts is None:
        return {}
    services = list(model.services.values())
    lacking = {id(services[index]): index for index in facts.workflows_without_main}
    found: dict[int, list] = {}
    for handler in model.handlers:
        if handler.kind == sdk.WORKFLOW_SHARED and id(handler.service) in lacking and _context_annotation(model, handler) == "restate.WorkflowContext":
            found.setdefault(lacking[id(handler.service)], []).append(handler)
    return found


def _mistaken_mains(model: ModuleModel) -> set[int]:
    return {id(h) for hs in _meant_as_main(model).values() for h in hs}


def _annotation_fix(model: ModuleModel, expr: cst.BaseExpression, short: str) -> Optional[Fix]:
    if isinstance(expr, cst.Attribute):
        text = f"{model.tree.code_for_node(expr.value)}.{short}"
    else:
        text = restate_ref(model, short)
    return Fix("safe", f"Annotate as `{text}`", [NodeEdit(expr, text)]) if text else None


@check(RST304)
def sync_handler(model: ModuleModel, settings) -> Iterator[Finding]:
    for handler in model.handlers:
        function = handler.function
        if function.is_async:
            continue
        node = function.node
        # the FunctionDef's own range starts at `def`, after its decorators
        fix = Fix("safe", "Make the handler `async def`", [NodeEdit(node, "async ", "before")])
        yield Finding("RST304", node.name, f"Handler `{function.name}` is a plain `def`: the SDK awaits every handler, so every attempt fails until the invocation is paused. Declare it `async def`", fix)


@check(RST305)
def malformed_handler_definition(model: ModuleModel, settings) -> Iterator[Finding]:
    for handler in model.handlers:
        function = handler.function
        decorator = handler.decorator.decorator
        if not handler.called:
            yield Finding("RST305", decorator, f"`@{model.tree.code_for_node(decorator)}` is used without calling it: the function is not registered as a handler. Write `@{model.tree.code_for_node(decorator)}()`", Fix("safe", "Call the decorator", [NodeEdit(decorator, "()", "after")]))
        count = len(function.params)
        if count == 0 or count > 2:
            yield Finding("RST305", function.node.name, f"Handler `{function.name}` takes {count} parameters: a handler takes the context and at most one input")
        if handler.name is not None and not re.match(sdk.HANDLER_NAME_PATTERN, handler.name):
            name_arg = argument(decorator, 0, "name") if isinstance(decorator, cst.Call) else None
            yield Finding("RST305", name_arg.value if name_arg else function.node.name, f"Handler name {handler.name!r} is not a valid Restate handler name (letters, digits and `_`, starting with a letter)")
    for service in model.services.values():
        if service.name is not None and not re.match(sdk.SERVICE_NAME_PATTERN, service.name):
            name_arg = argument(service.call, 0, "name")
            yield Finding("RST305", name_arg.value if name_arg else service.call, f"Service name {service.name!r} is not a valid Restate service name (letters, digits, `.`, `_`, `-`, starting with a letter)")
    # A service's handlers may be defined in several modules: the link stage sees them all.
    facts = model.facts
    if facts is None:
        return
    for index, what, label in facts.duplicate_handlers:
        function = model.functions[index]
        if what == "name":
            yield Finding("RST305", function.node.name, f"Handler name {function.handler.name!r} is already used in {label!r}, so the SDK refuses to register it: rename one of the two")
        else:
            yield Finding("RST305", function.node.name, f"Workflow {label!r} already has a `main()` handler (a workflow has exactly one): remove or rename this one")
    services = list(model.services.values())
    meant = _meant_as_main(model)
    for index in facts.workflows_without_main:
        service = services[index]
        named = ", ".join(f"`{h.function.name}`" for h in meant.get(index, ()))
        why = f" (handler {named} takes a `WorkflowContext`, as only a `main()` does: if it is the workflow's run, declare it with `.main()`)" if named else ""
        yield Finding("RST305", service.call, f"Workflow {service.label!r} has handlers but no `main()`: a workflow needs exactly one `@{service.var}.main()`{why}")
