"""The service manifest the code defines, as the SDK would announce it at discovery: services
(name, type, options), handlers (name, kind, input and output types as annotated, options), and,
under separate keys, each handler's journal shape and the project classes used as handler types.

Plain JSON data (a saved manifest is read back by `compat --against manifest.json`); every
definition carries its location (file relative to the project root, 1-based row and column).
"""

from __future__ import annotations

import ast
from typing import Optional

import libcst as cst

from restate_lint.deploy.journal_shape import handler_shape
from restate_lint.deploy.load import Loaded
from restate_lint.deploy.project import Project, relative
from restate_lint.model import sdk
from restate_lint.model.module import ModuleModel
from restate_lint.model.services import Handler, argument, decorator_call

VERSION = 1
SERVICE_TYPES = {"service": "SERVICE", "object": "VIRTUAL_OBJECT", "workflow": "WORKFLOW"}
# the discovery's handler type: none for a plain service's handlers
HANDLER_KINDS = {sdk.SERVICE: None, sdk.EXCLUSIVE: "EXCLUSIVE", sdk.SHARED: "SHARED", sdk.WORKFLOW_MAIN: "WORKFLOW", sdk.WORKFLOW_SHARED: "SHARED"}
_NOT_OPTIONS = {"name", "kind"}


def build_manifest(loaded: Loaded) -> dict:
    services: dict[str, dict] = {}
    journal: dict[str, dict[str, list]] = {}
    types: dict[str, dict] = {}
    handler_ids: dict[str, str] = {}  # qualified name of a handler's function -> "Service/handler"
    project = Project(loaded.models, loaded.root)

    for model in loaded.models:
        where = project.locators[model.name]
        for service in model.services.values():
            if service.name is not None and service.call is not None:
                entry = services.setdefault(service.name, {"name": service.name, "handlers": []})
                entry.update(type=SERVICE_TYPES[service.kind], location=where(service.call), options=_options(model, service.call))
        for handler in model.handlers:
            if handler.name is None or handler.service.name is None or not handler.called:
                continue  # not registered under a name we know (`@svc.handler` without a call registers nothing)
            entry = services.setdefault(handler.service.name, {"name": handler.service.name, "type": SERVICE_TYPES[handler.service.kind], "handlers": []})
            entry["handlers"].append(_handler(model, handler, project, types))
            handler_ids[f"{model.name}.{handler.function.qualname}"] = f"{handler.service.name}/{handler.name}"
            journal.setdefault(handler.service.name, {})[handler.name] = handler_shape(model, handler.function, project)
    for entry in services.values():
        entry["handlers"].sort(key=lambda h: h["name"])
    _name_targets(journal, handler_ids)
    return {
        "version": VERSION,
        "services": [services[name] for name in sorted(services)],
        "journal": {name: journal[name] for name in sorted(journal)},
        "types": {name: types[name] for name in sorted(types)},
        "failures": {relative(p, loaded.root): reason for p, reason in sorted(loaded.failures.items())},
    }


def _name_targets(journal: dict, handler_ids: dict[str, str]) -> None:
    """Call targets given as references to handlers of other modules, named as Restate names them."""
    pending = [item for handlers in journal.values() for shape in handlers.values() for item in shape]
    while pending:
        item = pending.pop()
        pending.extend(i for branch in item.get("alt", ()) for i in branch)
        pending.extend(item.get("repeat", ()))
        if item.get("op") in ("call", "send") and item.get("target") in handler_ids:
            item["target"] = handler_ids[item["target"]]


def _handler(model: ModuleModel, handler: Handler, project: Project, types: dict) -> dict:
    node = handler.function.node
    where = project.locators[model.name]
    params = handler.function.params
    entry = {
        "name": handler.name,
        "kind": _announced_kind(handler),
        "input": _annotation(model, params[1].annotation) if len(params) > 1 else None,
        "output": _annotation(model, node.returns),
        "options": _options(model, decorator_call(handler.decorator)),
        "location": where(node.name),  # the `def` line, where a suppression comment goes
    }
    for part, annotation in (("input", params[1].annotation if len(params) > 1 else None), ("output", node.returns)):
        if annotation is not None:
            entry[f"{part}_class"] = _record_type(model, annotation.annotation, handler, project, types)
    return entry


def _announced_kind(handler: Handler) -> Optional[str]:
    """The handler type discovery announces: `kind=None` announces none (the server then takes a
    virtual object's handler as exclusive)."""
    call = decorator_call(handler.decorator)
    kind = argument(call, 1, "kind") if call is not None and handler.method == "handler" else None
    if kind is not None and isinstance(kind.value, cst.Name) and kind.value.value == "None":
        return None
    return HANDLER_KINDS.get(handler.kind or "")


def _annotation(model: ModuleModel, annotation: Optional[cst.Annotation]) -> Optional[str]:
    """The annotation as written ("" when the parameter has none)."""
    return model.tree.code_for_node(annotation.annotation) if annotation is not None else ""


def _options(model: ModuleModel, call: Optional[cst.Call]) -> dict:
    """Keyword arguments as values when they are literals, else as the code written."""
    found = {}
    for arg in call.args if call is not None else ():
        if arg.keyword is not None and arg.keyword.value not in _NOT_OPTIONS:
            text = model.tree.code_for_node(arg.value)
            try:
                found[arg.keyword.value] = ast.literal_eval(text)
            except (ValueError, SyntaxError, MemoryError, RecursionError):
                found[arg.keyword.value] = text
    return found


def _record_type(model: ModuleModel, expr: cst.BaseExpression, handler: Handler, project: Project, types: dict) -> Optional[str]:
    """A project class used as a handler's input or output: its annotated fields (dataclass,
    pydantic model, TypedDict), which decide what old callers' payloads still parse as. Returns
    its qualified name, the key in `types` (None when it is not a project class)."""
    qualname = model.resolve(expr, handler.function.parent) or project.star_name(model, expr, handler.function.parent)
    if qualname is None or qualname in types:
        return qualname
    module, _, name = qualname.rpartition(".")
    target = model if module == model.name else project.model(module)
    bindings = target.bindings.get(name, []) if target is not None else []
    if len(bindings) != 1 or bindings[0].kind != "class":
        return None
    fields = {}
    total_false = any(k.keyword is not None and k.keyword.value == "total" and target.tree.code_for_node(k.value) == "False" for k in bindings[0].node.keywords)
    body = bindings[0].node.body
    lines = body.body if isinstance(body, cst.IndentedBlock) else [body]  # `class X: a: int` is one suite
    for line in lines:
        for small in line.body if isinstance(line, (cst.SimpleStatementLine, cst.SimpleStatementSuite)) else ():  # not methods or ifs
            if isinstance(small, cst.AnnAssign) and isinstance(small.target, cst.Name):
                kind = target.tree.code_for_node(small.annotation.annotation)
                # a default, or a TypedDict key that may be left out
                optional = small.value is not None or total_false or kind.split("[")[0].rpartition(".")[2] == "NotRequired"
                fields[small.target.value] = {"type": kind, "default": optional}
    types[qualname] = {"fields": fields, "location": project.locators[target.name](bindings[0].node.name)}
    return qualname
