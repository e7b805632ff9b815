"""RST104: iterating a set while issuing durable operations: the journal order follows hash order."""

from __future__ import annotations

from typing import Iterator, Optional

import libcst as cst

from restate_lint.diagnostics import Finding, Fix, NodeEdit
from restate_lint.model import sdk
from restate_lint.model.journal import comprehension_journals, journals
from restate_lint.model.module import ModuleModel, Site
from restate_lint.model.scope import Function
from restate_lint.model.services import argument
from restate_lint.rules.base import check
from restate_lint.registry import RULES

RST104 = RULES["RST104"]

_SET_TYPES = {"builtins.set", "builtins.frozenset"}
_SET_ANNOTATIONS = _SET_TYPES | {
    "typing.Set", "typing.FrozenSet", "typing.AbstractSet", "typing.MutableSet",
    "collections.abc.Set", "collections.abc.MutableSet",
}  # fmt: skip
_SET_OPERATORS = (cst.BitOr, cst.BitAnd, cst.Subtract, cst.BitXor)
_SET_METHODS = {"union", "intersection", "difference", "symmetric_difference", "copy"}


@check(RST104)
def unordered_iteration(model: ModuleModel, settings) -> Iterator[Finding]:
    for site in (*model.sites[cst.For], *model.sites[cst.CompFor]):
        if not site.in_durable_code or not _follows_set_order(model, site.node.iter, site.function):
            continue
        if not _body_journals(model, site):
            continue
        yield Finding(
            "RST104", site.node.iter,
            "This loop walks a set (or a sequence made from one), whose order depends on per-process hash randomisation, and issues durable operations: "
            "a replay in another process journals them in another order (RT0016). Iterate `sorted(..)` (a list made from a set keeps its order)",
            _sorted_fix(model, site),
        )  # fmt: skip
    yield from _ordered_payloads(model)


def _ordered_payloads(model: ModuleModel) -> Iterator[Finding]:
    """A sequence made in a set's order as a state value or a call's argument: the journal keeps
    the first attempt's, and the SDK compares it on replay."""
    for site in model.durable_ops():
        where = sdk.PAYLOAD_POSITION.get(site.op.method)
        arg = argument(site.node, *where) if where is not None and site.in_durable_code else None
        if arg is None or arg.star:
            continue
        made = _made_in_set_order(model, arg.value, site.function)
        if made is None:
            continue
        what = "value" if site.op.method == "set" else "argument"
        fix = None
        if made is arg.value and model.resolve(cst.Name("sorted"), site.function) == "builtins.sorted":
            fix = Fix("unsafe", "Sort it (`sorted(..)`)", [NodeEdit(made, "sorted(", "before"), NodeEdit(made, ")", "after")])
        yield Finding(
            "RST104", made,
            f"`{model.tree.code_for_node(made)}` is built in a set's order, which depends on per-process hash randomisation, and is journaled as "
            f"the `ctx.{site.op.method}(..)` {what}: a replay in another process builds it in another order and the SDK finds the journal differs (RT0016). "
            f"Sort it (`sorted(..)`)",
            fix,
        )  # fmt: skip


def _made_in_set_order(model: ModuleModel, expr: cst.BaseExpression, function: Optional[Function], depth: int = 0) -> Optional[cst.BaseExpression]:
    """The part of a payload that is a sequence made from a set, in its order (itself, or an
    element of a list, tuple or dict literal). A set itself is left out: the default serde
    refuses it, another mistake."""
    if is_set(model, expr, function):
        return None
    if _follows_set_order(model, expr, function):
        return expr
    if depth < 3 and isinstance(expr, (cst.List, cst.Tuple, cst.Dict)):
        for element in expr.elements:
            value = getattr(element, "value", None)
            found = _made_in_set_order(model, value, function, depth + 1) if value is not None else None
            if found is not None:
                return found
    return None


def _body_journals(model: ModuleModel, site: Site) -> bool:
    return journals(model, site.node.body) if isinstance(site.node, cst.For) else comprehension_journals(model, site)


def _sorted_fix(model: ModuleModel, site: Site) -> Optional[Fix]:
    if model.resolve(cst.Name("sorted"), site.function) != "builtins.sorted":
        return None
    iterable = site.node.iter
    return Fix("unsafe", "Iterate `sorted(..)`", [NodeEdit(iterable, "sorted(", "before"), NodeEdit(iterable, ")", "after")])


_ORDER_KEEPING = {"builtins.list", "builtins.tuple", "builtins.enumerate"}


def _follows_set_order(model: ModuleModel, expr: cst.BaseExpression, function: Optional[Function], depth: int = 0) -> bool:
    """A set, or a sequence made from one in its order (`list(s)`, `[f(x) for x in s]`)."""
    if is_set(model, expr, function, depth):
        return True
    if depth > 6:
        return False
    if isinstance(expr, cst.Call) and model.resolve(expr.func, function) in _ORDER_KEEPING and expr.args and not expr.args[0].star:
        return _follows_set_order(model, expr.args[0].value, function, depth + 1)
    if isinstance(expr, (cst.ListComp, cst.GeneratorExp)):
        return _follows_set_order(model, expr.for_in.iter, function, depth + 1)
    if isinstance(expr, cst.Name):
        scope, bindings = model.bindings_of(expr, function)
        if len(bindings) == 1 and bindings[0].kind == "assign" and bindings[0].index is None:
            return _follows_set_order(model, bindings[0].node, scope, depth + 1)
    return False


def is_set(model: ModuleModel, expr: cst.BaseExpression, function: Optional[Function], depth: int = 0) -> bool:
    """Does `expr` evaluate to a set whose iteration order can change between processes?"""
    if depth > 6:
        return False
    if isinstance(expr, cst.Set):
        return not all(isinstance(e.value, cst.Integer) for e in expr.elements)  # small ints hash to themselves
    if isinstance(expr, cst.SetComp):
        return True
    if isinstance(expr, cst.Call):
        if model.resolve(expr.func, function) in _SET_TYPES:
            return True
        func = expr.func
        return isinstance(func, cst.Attribute) and func.attr.value in _SET_METHODS and is_set(model, func.value, function, depth + 1)
    if isinstance(expr, cst.BinaryOperation) and isinstance(expr.operator, _SET_OPERATORS):
        return is_set(model, expr.left, function, depth + 1) or is_set(model, expr.right, function, depth + 1)
    if isinstance(expr, cst.Name):
        scope, bindings = model.bindings_of(expr, function)
        kinds = [_binding_is_set(model, b, scope, depth) for b in bindings]
        return bool(kinds) and True in kinds and False not in kinds
    return False


def _binding_is_set(model: ModuleModel, binding, scope: Optional[Function], depth: int) -> Optional[bool]:
    """True: binds a set; False: binds something else; None: keeps what the name held (`s |= t`)."""
    if binding.kind == "assign" and binding.index is None:
        return is_set(model, binding.node, scope, depth + 1)
    if binding.kind == "param":
        annotation = binding.node.annotation
        if annotation is None:
            return False
        value = annotation.annotation
        value = value.value if isinstance(value, cst.Subscript) else value
        return model.resolve(value, scope.parent if scope is not None else None) in _SET_ANNOTATIONS
    if binding.kind == "other" and isinstance(binding.node, cst.AugAssign) and isinstance(binding.node.operator, (cst.BitOrAssign, cst.BitAndAssign, cst.SubtractAssign, cst.BitXorAssign)):
        return None
    return False
