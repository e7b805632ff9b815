"""Data flow inside functions: which values derive from a source (RST103, RST701).

Flow-insensitive and local: a name is tainted when any of its bindings in its
function gets a tainted value (assignment, `+=`, loop or `with` target); a value
is tainted when any part of it is (operands, f-string parts, container elements,
attribute bases, subscripts, call receivers and arguments, comprehension parts,
ternary conditions), except the result of a durable operation, which is journaled
and therefore deterministic whatever its arguments were. Module-level names are
configuration read at import time, never tainted. Lambdas are not evaluated.
"""

from __future__ import annotations

from typing import Callable, Optional

import libcst as cst

from restate_lint.model.module import ModuleModel
from restate_lint.model.scope import Function, lookup

# `source(model, call, function)`: a description of the source if the call produces a tainted value
CallSource = Callable[[ModuleModel, cst.Call, Optional[Function]], Optional[str]]
ReadSource = Callable[[ModuleModel, cst.BaseExpression, Optional[Function]], Optional[str]]

_COMPREHENSIONS = (cst.ListComp, cst.SetComp, cst.GeneratorExp, cst.DictComp)
Env = dict  # comprehension variables in scope: name -> source or None


class Flow:
    def __init__(self, call_source: CallSource, read_source: Optional[ReadSource] = None, barrier: Optional[Callable] = None):
        self.call_source = call_source
        self.read_source = read_source
        self.barrier = barrier or (lambda model, site: site is not None and site.op is not None)
        self._names: dict[tuple, Optional[str]] = {}

    def source(self, model: ModuleModel, expr: cst.CSTNode, function: Optional[Function], env: Optional[Env] = None) -> Optional[str]:
        """The source `expr`'s value derives from, or None."""
        try:
            return self._expr(model, expr, function, env or {})
        except RecursionError:  # an expression nested deeper than Python's stack: no verdict
            return None

    def env_at(self, model: ModuleModel, ancestors: tuple, function: Optional[Function]) -> Env:
        """The comprehension variables visible at a node with these ancestors."""
        env: Env = {}
        for node in ancestors:
            if isinstance(node, _COMPREHENSIONS):
                env = self._comprehension_env(model, node, function, env)
        return env

    # -- expressions ---------------------------------------------------------------------------
    def _expr(self, model: ModuleModel, expr: cst.CSTNode, function: Optional[Function], env: Env) -> Optional[str]:
        if isinstance(expr, cst.Call):
            site = model.call_sites.get(expr)
            found = self.call_source(model, expr, function)
            if found or self.barrier(model, site):
                return found
            return self._any(model, [expr.func, *(a.value for a in expr.args)], function, env)
        if isinstance(expr, cst.Name):
            if expr.value in env:
                return env[expr.value]
            return self._read(model, expr, function) or self._name(model, expr.value, function)
        if isinstance(expr, cst.Attribute):
            return self._read(model, expr, function) or self._expr(model, expr.value, function, env)
        if isinstance(expr, _COMPREHENSIONS):
            inner = self._comprehension_env(model, expr, function, env)
            parts = [expr.key, expr.value] if isinstance(expr, cst.DictComp) else [expr.elt]
            return self._comprehension_source(model, expr, function, env) or self._any(model, parts, function, inner)
        if isinstance(expr, (cst.Lambda, cst.SimpleString, cst.Integer, cst.Float, cst.Imaginary, cst.Ellipsis)):
            return None
        return self._any(model, _parts(expr), function, env)

    def _any(self, model: ModuleModel, parts, function: Optional[Function], env: Env) -> Optional[str]:
        for part in parts:
            if part is not None:
                found = self._expr(model, part, function, env)
                if found:
                    return found
        return None

    def _read(self, model: ModuleModel, expr: cst.BaseExpression, function: Optional[Function]) -> Optional[str]:
        return self.read_source(model, expr, function) if self.read_source else None

    def _name(self, model: ModuleModel, name: str, function: Optional[Function]) -> Optional[str]:
        scope, bindings = lookup(name, function, model)
        if scope is None:
            return None
        key = (scope, name)
        if key in self._names:
            return self._names[key]
        self._names[key] = None  # a cycle through this name adds nothing
        found = None
        for b in bindings:
            value = b.node if b.kind == "assign" else b.value if b.kind == "other" else None
            if value is not None:
                found = self._expr(scope.module, value, scope, {})
                if found:
                    break
        self._names[key] = found
        return found

    # -- comprehensions -------------------------------------------------------------------------
    def _comprehension_env(self, model: ModuleModel, node: cst.BaseComp, function: Optional[Function], env: Env) -> Env:
        env = dict(env)
        for_in: Optional[cst.CompFor] = node.for_in
        while for_in is not None:
            found = self._expr(model, for_in.iter, function, env)
            for name in _target_names(for_in.target):
                env[name] = found
            for_in = for_in.inner_for_in
        return env

    def _comprehension_source(self, model: ModuleModel, node: cst.BaseComp, function: Optional[Function], env: Env) -> Optional[str]:
        """A tainted iterable or condition makes the whole comprehension tainted."""
        env = dict(env)
        for_in: Optional[cst.CompFor] = node.for_in
        while for_in is not None:
            found = self._expr(model, for_in.iter, function, env)
            if found:
                return found
            for name in _target_names(for_in.target):
                env[name] = None
            found = self._any(model, [c.test for c in for_in.ifs], function, env)
            if found:
                return found
            for_in = for_in.inner_for_in
        return None


def _target_names(target: cst.CSTNode) -> list[str]:
    if isinstance(target, cst.Name):
        return [target.value]
    if isinstance(target, (cst.Tuple, cst.List)):
        return [n for e in target.elements for n in _target_names(e.value)]
    if isinstance(target, cst.StarredElement):
        return _target_names(target.value)
    return []


def _parts(expr: cst.CSTNode) -> list:
    """The sub-expressions whose values flow into `expr`'s value."""
    if isinstance(expr, cst.BinaryOperation):
        return [expr.left, expr.right]
    if isinstance(expr, cst.BooleanOperation):
        return [expr.left, expr.right]
    if isinstance(expr, cst.UnaryOperation):
        return [expr.expression]
    if isinstance(expr, cst.Comparison):
        return [expr.left, *(c.comparator for c in expr.comparisons)]
    if isinstance(expr, cst.Subscript):
        return [expr.value, *(e.slice.value for e in expr.slice if isinstance(e.slice, cst.Index))]
    if isinstance(expr, cst.FormattedString):
        return [p.expression for p in expr.parts if isinstance(p, cst.FormattedStringExpression)]
    if isinstance(expr, cst.ConcatenatedString):
        return [expr.left, expr.right]
    if isinstance(expr, (cst.List, cst.Tuple, cst.Set)):
        return [e.value for e in expr.elements]
    if isinstance(expr, cst.Dict):
        return [p for e in expr.elements for p in ((e.key, e.value) if isinstance(e, cst.DictElement) else (e.value,))]
    if isinstance(expr, cst.IfExp):
        return [expr.test, expr.body, expr.orelse]
    if isinstance(expr, (cst.Await, cst.StarredElement)):
        return [expr.expression if isinstance(expr, cst.Await) else expr.value]
    if isinstance(expr, cst.NamedExpr):
        return [expr.value]
    return []
