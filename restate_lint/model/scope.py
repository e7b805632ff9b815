"""Functions, their local bindings, and name resolution (imports, aliases, shadowing).

Python scoping rules, reduced to what a linter needs: a name bound anywhere in
a function is local to it throughout; class bodies do not enclose methods;
`global`/`nonlocal` send a name outward.
"""

from __future__ import annotations

import builtins
from dataclasses import dataclass, field
from functools import cached_property
from typing import TYPE_CHECKING, Optional, Union

import libcst as cst

from restate_lint.model import sdk

if TYPE_CHECKING:
    from restate_lint.model.module import ModuleModel
    from restate_lint.model.services import Handler

BUILTINS = frozenset(dir(builtins))

FunctionNode = Union[cst.FunctionDef, cst.Lambda]


@dataclass(eq=False)
class Binding:
    """One binding of a name in a scope."""

    kind: str  # import | def | class | assign | param | other
    node: Optional[cst.CSTNode] = None  # value expression (assign), FunctionDef (def), Param (param)
    qualname: Optional[str] = None  # import target
    index: Optional[int] = None  # position in a tuple target (`name, fut = ctx.awakeable()`)
    value: Optional[cst.BaseExpression] = None  # what a loop, `with` or `+=` target derives from (`other`)


@dataclass(eq=False)
class Function:
    node: FunctionNode
    parent: Optional["Function"]
    module: "ModuleModel"
    qualname: str  # dotted path inside the module, `<lambda>` for lambdas
    index: int  # position in the module's functions: how summaries and facts name it
    params: list[cst.Param] = field(default_factory=list)
    bindings: dict[str, list[Binding]] = field(default_factory=dict)
    global_names: set[str] = field(default_factory=set)
    nonlocal_names: set[str] = field(default_factory=set)
    calls: list = field(default_factory=list)  # CallSite, directly in this body
    awaits: list = field(default_factory=list)  # AwaitSite, directly in this body
    children: list["Function"] = field(default_factory=list)
    # set by the model after collection, from the module alone or from the project's facts
    handler: Optional["Handler"] = None
    context_params: set[str] = field(default_factory=set)
    is_action: bool = False  # its body runs inside `ctx.run`: a side-effect zone

    @property
    def name(self) -> str:
        return self.node.name.value if isinstance(self.node, cst.FunctionDef) else "<lambda>"

    @property
    def is_async(self) -> bool:
        return isinstance(self.node, cst.FunctionDef) and self.node.asynchronous is not None

    @property
    def is_lambda(self) -> bool:
        return isinstance(self.node, cst.Lambda)

    def bind(self, name: str, binding: Binding) -> None:
        self.bindings.setdefault(name, []).append(binding)

    # -- roles -------------------------------------------------------------
    @cached_property
    def gets_context(self) -> bool:
        """It calls `current_context()` / `restate_context()` (assigned or used inline).
        Asked for every site of every rule; its calls and imports are fixed once collected."""
        return any(self.module.resolve(site.node.func, self) in sdk.CONTEXT_GETTERS for site in self.calls)

    @property
    def is_durable(self) -> bool:
        """Handler bodies and functions that hold a context, minus run actions."""
        if self.is_action:
            return False
        if self.handler is not None or self.context_params or self.gets_context:
            return True
        return self.parent is not None and self.parent.is_durable

    @property
    def in_action(self) -> bool:
        """This function is a run action or nested inside one."""
        f: Optional[Function] = self
        while f is not None:
            if f.is_action:
                return True
            f = f.parent
        return False

    def durable_root(self) -> Optional["Function"]:
        """The handler or context function whose durable code this is."""
        f: Optional[Function] = self
        while f is not None and not (f.handler or f.context_params or f.gets_context):
            f = f.parent
        return f


def lookup(name: str, function: Optional[Function], module: "ModuleModel") -> tuple[Optional[Function], list[Binding]]:
    """Where `name` is bound as seen from `function`: (scope, bindings); scope None = module."""
    f = function
    while f is not None:
        if name in f.global_names:
            break
        if name in f.bindings and name not in f.nonlocal_names:
            return f, f.bindings[name]
        f = f.parent
    return None, module.bindings.get(name, [])


def qualified_name(expr: cst.BaseExpression, function: Optional[Function], module: "ModuleModel", _depth: int = 0) -> Optional[str]:
    """The fully qualified name an expression refers to (`t.time` -> `time.time`), or None."""
    if _depth > 8:
        return None
    if isinstance(expr, cst.Attribute):
        base = qualified_name(expr.value, function, module, _depth + 1)
        return sdk.canonical(f"{base}.{expr.attr.value}") if base else None
    if not isinstance(expr, cst.Name):
        return None
    name = expr.value
    scope, bindings = lookup(name, function, module)
    if not bindings:
        return f"builtins.{name}" if name in BUILTINS else None
    if len(bindings) == 1:
        b = bindings[0]
        if b.kind == "import":
            return sdk.canonical(b.qualname)
        if scope is None and b.kind in ("def", "class", "assign"):
            # a module-level definition: alias assignments resolve through
            if b.kind == "assign" and isinstance(b.node, (cst.Name, cst.Attribute)):
                return qualified_name(b.node, None, module, _depth + 1)
            return f"{module.name}.{name}" if module.name else name
        if b.kind == "assign" and isinstance(b.node, (cst.Name, cst.Attribute)):
            return qualified_name(b.node, scope, module, _depth + 1)
        if b.kind == "def" and scope is not None:
            return f"{module.name}.{scope.qualname}.{name}"
    elif len({b.qualname for b in bindings if b.kind == "import"}) == 1 and all(b.kind == "import" for b in bindings):
        return sdk.canonical(bindings[0].qualname)  # `import restate` and `import restate.extensions`
    elif scope is None and all(b.kind in ("def", "class", "assign") for b in bindings):
        return f"{module.name}.{name}" if module.name else name
    return None
