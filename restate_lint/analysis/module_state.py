"""Module-level state changed by functions: assignments to a module-level name (`global X; X =
..`), to its items or attributes, and calls of a mutating method on it (`seen.add(..)`). RST105
reports those in durable code; outside it, they make a plain helper stateful (its summary says so,
for branches on it in other modules)."""

from __future__ import annotations

from typing import Iterator, Optional

import libcst as cst

from restate_lint.model.module import ModuleModel, Site
from restate_lint.model.scope import Function

MUTATORS = {
    "append", "extend", "insert", "add", "update", "setdefault", "pop", "popitem", "remove", "discard", "clear",
    "appendleft", "extendleft", "popleft", "sort", "reverse", "difference_update", "intersection_update",
    "symmetric_difference_update",
}  # fmt: skip


def mutations(model: ModuleModel, durable: bool = True) -> Iterator[tuple[Site, cst.BaseExpression, str]]:
    """(site, mutated expression, module-level name) for every mutation of module state in durable
    code (or, with `durable=False`, outside it)."""
    for site in model.sites[cst.Assign]:
        if site.in_durable_code == durable:
            for target in site.node.targets:
                for element in _targets(target.target):
                    name = _state_root(model, element, site.function, rebinding=True)
                    if name:
                        yield site, element, name
    for kind in (cst.AugAssign, cst.AnnAssign):
        for site in model.sites[kind]:
            if site.in_durable_code == durable and (kind is cst.AugAssign or site.node.value is not None):
                name = _state_root(model, site.node.target, site.function, rebinding=True)
                if name:
                    yield site, site.node.target, name
    for site in model.calls:
        func = site.node.func
        if site.in_durable_code == durable and isinstance(func, cst.Attribute) and func.attr.value in MUTATORS:
            name = _state_root(model, func.value, site.function, rebinding=False)
            if name:
                yield site, func.value, name


def _targets(target: cst.BaseExpression) -> list[cst.BaseExpression]:
    if isinstance(target, (cst.Tuple, cst.List)):
        return [t for e in target.elements for t in _targets(e.value)]
    if isinstance(target, cst.StarredElement):
        return _targets(target.value)
    return [target]


def _state_root(model: ModuleModel, expr: cst.BaseExpression, function: Optional[Function], rebinding: bool) -> Optional[str]:
    """The module-level variable or class that `expr` (a store target, or a mutated receiver) belongs to.
    A bare name only counts when it is rebound (`global X; X = ..`); its value is what mutators change."""
    node = expr
    while isinstance(node, (cst.Attribute, cst.Subscript)):
        node = node.value
    if not isinstance(node, cst.Name) or (node is expr and not rebinding and not _holds_data(model, node)):
        return None
    scope, bindings = model.bindings_of(node, function)
    if scope is not None or not bindings:
        return None
    if node is expr:
        return node.value if all(b.kind == "assign" for b in bindings) else None
    return node.value if all(b.kind in ("assign", "class") for b in bindings) else None


def _holds_data(model: ModuleModel, name: cst.Name) -> bool:
    """A module-level name bound to a value (a container, an object), not to a module or a function."""
    return all(b.kind == "assign" for b in model.bindings.get(name.value, [])) and name.value in model.bindings


def stateful_functions(model: ModuleModel) -> dict[Function, str]:
    """Plain functions of this module (no context, not run actions) that change module-level
    state: function -> the first name they change."""
    found: dict[Function, str] = {}
    for site, _, name in mutations(model, durable=False):
        function = site.function
        if function is not None and not function.is_durable and not function.in_action:
            found.setdefault(function, name)
    return found
