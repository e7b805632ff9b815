"""Objects that hold a Restate context: instances of a class of this module whose `__init__` stores
a parameter in an attribute (`self.ctx = ctx`), where that parameter receives a context (it is
annotated as one, or a construction of the class in this module passes one). The context goes
wherever the object goes, into a run action too (RST201): `wrapper.ctx.get(..)`, or a method
that reads `self.ctx`, called there.

Only what this module shows: a class of another module, or one built only elsewhere, holds
nothing known here.
"""

from __future__ import annotations

from typing import Optional

import libcst as cst

from restate_lint.model.module import ModuleModel
from restate_lint.model.scope import Function, lookup
from restate_lint.model.services import argument

_MAX_DEPTH = 4  # method calls on `self` followed to find where the context is used


class Holders:
    def __init__(self, model: ModuleModel):
        self.model = model
        self._held: dict[int, frozenset[str]] = {}

    @staticmethod
    def of(model: ModuleModel) -> "Holders":
        if "_holders" not in model.analyses:
            model.analyses["_holders"] = Holders(model)
        return model.analyses["_holders"]

    # -- what an expression holds ----------------------------------------------------------
    def held(self, expr: cst.BaseExpression, function: Optional[Function]) -> tuple[Optional[cst.ClassDef], frozenset[str]]:
        """The class of the object `expr` names and its attributes holding a context: a name bound
        once to `Cls(..)` (those the construction fills with a context), or a method's `self`
        (those any construction here fills with one, or that are annotated as one)."""
        if not isinstance(expr, cst.Name):
            return None, frozenset()
        scope, bindings = lookup(expr.value, function, self.model)
        if len(bindings) != 1:
            return None, frozenset()
        binding = bindings[0]
        if binding.kind == "assign" and binding.index is None and isinstance(binding.node, cst.Call):
            cls = self._class_of(binding.node.func, scope)
            return (cls, self._filled(cls, binding.node, scope)) if cls is not None else (None, frozenset())
        if binding.kind == "param" and scope is not None and scope.params and scope.params[0] is binding.node:
            cls = self._class_defining(scope)
            return (cls, self._holding(cls)) if cls is not None else (None, frozenset())
        return None, frozenset()

    def uses(self, cls: cst.ClassDef, method_name: str, attrs: frozenset[str]) -> Optional[tuple[cst.Attribute, Function]]:
        """Where calling the method uses one of `attrs` of `self` (in its body, or in a method of
        the class it calls on `self`): the first such `self.attr` and the method it is in."""
        return self._uses(cls, method_name, attrs, set())

    # -- classes ---------------------------------------------------------------------------
    def _class_of(self, func: cst.BaseExpression, function: Optional[Function]) -> Optional[cst.ClassDef]:
        _, bindings = self.model.bindings_of(func, function)
        return bindings[0].node if len(bindings) == 1 and bindings[0].kind == "class" else None

    def _class_defining(self, method: Function) -> Optional[cst.ClassDef]:
        """The class whose body defines `method` directly (classes bound in a module or function
        scope; a class nested in a class body is not followed)."""
        if "_holder_classes" not in self.model.analyses:
            found: dict[int, cst.ClassDef] = {}
            scopes = [self.model.bindings, *(f.bindings for f in self.model.functions)]
            for cls in (b.node for bindings in scopes for bs in bindings.values() for b in bs if b.kind == "class"):
                for statement in cls.body.body if isinstance(cls.body, cst.IndentedBlock) else ():
                    found[id(statement)] = cls
            self.model.analyses["_holder_classes"] = found
        return self.model.analyses["_holder_classes"].get(id(method.node))

    def _method(self, cls: cst.ClassDef, name: str) -> Optional[Function]:
        for statement in cls.body.body if isinstance(cls.body, cst.IndentedBlock) else ():
            if isinstance(statement, cst.FunctionDef) and statement.name.value == name:
                return self.model.function_by_node.get(statement)
        return None

    def _stored(self, cls: cst.ClassDef) -> dict[str, tuple[int, str]]:
        """Attributes `__init__` sets straight from one of its parameters: attribute -> (the
        parameter's position after `self`, its name)."""
        init = self._method(cls, "__init__")
        if init is None or not init.params:
            return {}
        names = [p.name.value for p in init.params]
        body = init.node.body
        smalls = body.body if isinstance(body, cst.SimpleStatementSuite) else [s for line in body.body if isinstance(line, cst.SimpleStatementLine) for s in line.body]
        found: dict[str, tuple[int, str]] = {}
        for small in smalls:
            if isinstance(small, cst.Assign) and len(small.targets) == 1:
                target = small.targets[0].target
            elif isinstance(small, cst.AnnAssign):
                target = small.target
            else:
                continue
            value = small.value
            if _is_self_attribute(target, names[0]) and isinstance(value, cst.Name) and value.value in names[1:]:
                found[target.attr.value] = (names.index(value.value) - 1, value.value)
        return found

    def _annotated(self, cls: cst.ClassDef) -> set[str]:
        """Attributes stored from an `__init__` parameter annotated as a context."""
        init = self._method(cls, "__init__")
        return {attr for attr, (_, param) in self._stored(cls).items() if init is not None and param in init.context_params}

    def _filled(self, cls: cst.ClassDef, call: cst.Call, function: Optional[Function]) -> frozenset[str]:
        held = self._annotated(cls)
        for attr, (position, param) in self._stored(cls).items():
            arg = argument(call, position, param)
            if arg is not None and not arg.star and self.model.is_context_value(arg.value, function):
                held.add(attr)
        return frozenset(held)

    def _holding(self, cls: cst.ClassDef) -> frozenset[str]:
        if id(cls) not in self._held:
            held = self._annotated(cls)
            for site in self.model.calls:
                if self._class_of(site.node.func, site.function) is cls:
                    held |= self._filled(cls, site.node, site.function)
            self._held[id(cls)] = frozenset(held)
        return self._held[id(cls)]

    def _uses(self, cls: cst.ClassDef, method_name: str, attrs: frozenset[str], seen: set[str]) -> Optional[tuple[cst.Attribute, Function]]:
        method = self._method(cls, method_name)
        if method is None or not method.params or method_name in seen or len(seen) > _MAX_DEPTH:
            return None
        seen.add(method_name)
        own = method.params[0].name.value
        for node, inner, ancestors in self.model.loads(method.node):
            if node.value != own or lookup(own, inner, self.model)[0] is not method or not ancestors or not isinstance(ancestors[-1], cst.Attribute):
                continue
            attribute = ancestors[-1]
            if attribute.value is not node:
                continue
            if attribute.attr.value in attrs:
                return attribute, method
            if len(ancestors) >= 2 and isinstance(ancestors[-2], cst.Call) and ancestors[-2].func is attribute:
                found = self._uses(cls, attribute.attr.value, attrs, seen)
                if found is not None:
                    return found
        return None


def _is_self_attribute(target: Optional[cst.BaseExpression], own: str) -> bool:
    return isinstance(target, cst.Attribute) and isinstance(target.value, cst.Name) and target.value.value == own
