"""RST105: durable code mutating module-level state, or branching on state that durable code mutates."""

from __future__ import annotations

from typing import Iterator, Optional

import libcst as cst

from restate_lint.diagnostics import Finding
from restate_lint.model.module import ModuleModel, Site
from restate_lint.model.scope import Function
from restate_lint.rules.base import check, one_per_cause
from restate_lint.registry import RULES

RST105 = RULES["RST105"]

_MUTATORS = {
    "append", "extend", "insert", "add", "update", "setdefault", "pop", "popitem", "remove", "discard", "clear",
    "appendleft", "extendleft", "popleft", "sort", "reverse", "difference_update", "intersection_update",
    "symmetric_difference_update",
}  # fmt: skip


@check(RST105)
def mutable_global_state(model: ModuleModel, settings) -> Iterator[Finding]:
    yield from one_per_cause(model, _findings(model), "also uses it on")


def _findings(model: ModuleModel) -> Iterator[tuple[tuple, Finding]]:
    """Mutations and branches, each with its cause: the module-level name, in one function."""
    mutated: set[str] = set()
    for site, target, name in _mutations(model):
        mutated.add(name)
        yield (site.function, name), Finding(
            "RST105", site.node,
            f"`{model.tree.code_for_node(target)}` is module-level state mutated from durable code: every replay repeats the change, "
            f"and each service instance has its own copy. Keep it in Restate state (`ctx.get`/`ctx.set`)",
        )  # fmt: skip
    stateful = _stateful_helpers(model)
    if not mutated and not stateful:
        return
    for kind, what in ((cst.If, "test"), (cst.While, "test"), (cst.IfExp, "test"), (cst.Match, "subject")):
        for site in model.sites[kind]:
            if not site.in_durable_code:
                continue
            condition = getattr(site.node, what)
            helper = _calls_stateful_helper(model, condition, site.function, stateful)
            if helper is not None:
                function, name = helper
                yield (site.function, name), Finding(
                    "RST105", condition,
                    f"This branch decides on `{function.name}(..)`, which reads and changes the module-level `{name}`: the answer depends on "
                    f"what this process did before, so a replay in another process (or after a restart) can take another path. "
                    f"Keep that state in Restate (`ctx.get`/`ctx.set`)",
                )  # fmt: skip
                continue
            name = _reads_state(model, condition, site.function, mutated)
            if name:
                yield (site.function, name), Finding(
                    "RST105", condition,
                    f"This branch reads `{name}`, module-level state that durable code mutates: it differs between replays and "
                    f"between service instances, so a replay can take another path. Keep it in Restate state (`ctx.get`/`ctx.set`)",
                )  # fmt: skip


def _stateful_helpers(model: ModuleModel) -> dict:
    """Plain functions of this module (no context) that mutate module-level state: function -> name."""
    found: dict = {}
    for site, _, name in _mutations(model, durable=False):
        function = site.function
        if function is not None and not function.is_durable and not function.in_action:
            found.setdefault(function, name)
    return found


def _calls_stateful_helper(model: ModuleModel, condition: cst.BaseExpression, function: Optional[Function], stateful: dict):
    """(helper, name) when the condition calls a plain function of this module that mutates module state."""
    if not stateful:
        return None
    for site in function.calls if function is not None else ():
        if site.node is condition or condition in site.ancestors:
            callee = model.function_ref(site.node.func, function)
            if callee in stateful:
                return callee, stateful[callee]
    return None


def _mutations(model: ModuleModel, durable: bool = True) -> Iterator[tuple[Site, cst.BaseExpression, str]]:
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
        if site.in_durable_code == durable and isinstance(func, cst.Attribute) and func.attr.value in _MUTATORS:
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


def _reads_state(model: ModuleModel, condition: cst.BaseExpression, function: Optional[Function], mutated: set[str]) -> Optional[str]:
    for name, inner, _ in model.loads(condition):
        if name.value in mutated and model.scope_of(name.value, inner or function) is None:
            return name.value
    return None
