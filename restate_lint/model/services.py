"""Restate services, virtual objects, workflows and their handlers."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Optional

import libcst as cst

from restate_lint.model import sdk

if TYPE_CHECKING:
    from restate_lint.model.module import ModuleModel
    from restate_lint.model.scope import Function


@dataclass(eq=False)
class ServiceDef:
    """`x = restate.VirtualObject("Name")`: where it is defined and what it is."""

    kind: str  # service | object | workflow
    name: Optional[str]  # the Restate name, None when not a literal
    call: Optional[cst.Call]  # None, with `module`, for a service imported from another module
    module: Optional["ModuleModel"]
    var: str
    handlers: list["Handler"] = field(default_factory=list)

    @property
    def label(self) -> str:
        return self.name or self.var


@dataclass(eq=False)
class Handler:
    function: "Function"
    service: ServiceDef
    decorator: cst.Decorator
    method: str  # handler | main
    called: bool  # `@svc.handler()` rather than `@svc.handler`
    name: Optional[str]  # the Restate handler name
    kind: Optional[str]  # sdk.SERVICE / EXCLUSIVE / SHARED / WORKFLOW_MAIN / WORKFLOW_SHARED; None if unknown

    @property
    def context_param(self) -> Optional[cst.Param]:
        params = self.function.params
        return params[0] if params else None

    @property
    def is_virtual_object(self) -> bool:
        return self.service.kind == "object"

    @property
    def is_exclusive(self) -> bool:
        return self.kind == sdk.EXCLUSIVE


def literal_string(expr: Optional[cst.BaseExpression]) -> Optional[str]:
    """The value of a plain string literal, else None."""
    if isinstance(expr, cst.SimpleString):
        prefix = expr.prefix.lower()
        if "b" in prefix:
            return None
        if "\r" not in expr.value and (prefix == "r" or (not prefix and "\\" not in expr.value)):
            return expr.raw_value  # nothing to unescape or normalise; evaluating would parse it again
        value = expr.evaluated_value
        return value if isinstance(value, str) else None
    if isinstance(expr, cst.ConcatenatedString):
        value = expr.evaluated_value
        return value if isinstance(value, str) else None
    return None


def argument(call: cst.Call, position: Optional[int], keyword: Optional[str]) -> Optional[cst.Arg]:
    """The argument passed by `keyword`, or at `position` among plain positionals."""
    positional = 0
    for arg in call.args:
        if arg.keyword is not None:
            if keyword is not None and arg.keyword.value == keyword:
                return arg
        elif arg.star:
            if position is not None:
                return None  # `*args` hides which value lands at `position`
        else:
            if position is not None and positional == position:
                return arg
            positional += 1
    return None


def decorator_call(decorator: cst.Decorator) -> Optional[cst.Call]:
    expr = decorator.decorator
    return expr if isinstance(expr, cst.Call) else None


def declared_name(decorator: cst.Decorator, function: "Function") -> Optional[str]:
    """The Restate handler name a decorator gives (the function's own by default; None: not a literal)."""
    call = decorator_call(decorator)
    name_arg = argument(call, 0, "name") if call else None
    return literal_string(name_arg.value) if name_arg else function.name


def declared_kind(decorator: cst.Decorator) -> Optional[str]:
    """The `kind=` a virtual-object handler decorator gives: "exclusive" (also by default or with
    None), "shared", or None when it is not a literal we know."""
    call = decorator_call(decorator)
    kind_arg = argument(call, 1, "kind") if call else None
    if kind_arg is None or (isinstance(kind_arg.value, cst.Name) and kind_arg.value.value == "None"):
        return sdk.EXCLUSIVE
    return {"exclusive": sdk.EXCLUSIVE, "shared": sdk.SHARED}.get(literal_string(kind_arg.value) or "")


def handler_from_decorator(function: "Function", decorator: cst.Decorator, service: ServiceDef, method: str) -> Handler:
    kind = sdk.handler_kind(service.kind, method, declared_kind(decorator))
    handler = Handler(function, service, decorator, method, decorator_call(decorator) is not None, declared_name(decorator, function), kind)
    service.handlers.append(handler)
    return handler


def service_from_call(call: cst.Call, kind: str, module: "ModuleModel", var: str) -> ServiceDef:
    name_arg = argument(call, 0, "name")
    return ServiceDef(kind, literal_string(name_arg.value) if name_arg else None, call, module, var)
