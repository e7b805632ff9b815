"""The project's modules by name, for following a name from the module that uses it to the one that
defines it: helper functions, module-level string constants, and names that come in through
`from module import *`."""

from __future__ import annotations

from pathlib import Path
from typing import Optional

import libcst as cst

from restate_lint.model.module import ModuleModel
from restate_lint.model.scope import Function
from restate_lint.positions import Positions

_MAX_REEXPORTS = 4  # `from a import X` in b, imported from b: how far a constant is followed


class Locator:
    """Locations of a module's nodes, positions computed only for what the manifest records."""

    def __init__(self, model: ModuleModel, root: Path):
        self.model, self.root = model, root
        self.filename = relative(Path(model.path), root)
        self._positions: Optional[Positions] = None

    def __call__(self, node: cst.CSTNode) -> dict:
        if self._positions is None:
            self._positions = Positions(self.model.tree, self.model.source.text, self.model.statement_of)
        start, end = self._positions.span(node)
        return {"filename": self.filename, "row": start.row, "column": start.column, "end_row": end.row, "end_column": end.column}


class Project:
    def __init__(self, models: list[ModuleModel], root: Path):
        self.root = root
        self.locators = {model.name: Locator(model, root) for model in models}

    def model(self, name: str) -> Optional[ModuleModel]:
        locator = self.locators.get(name)
        return locator.model if locator is not None else None

    def _split(self, qualname: str) -> tuple[str, str]:
        """(module, path in it): the longest prefix of `qualname` that is a project module ("" if none)."""
        module, _, path = qualname.rpartition(".")
        while module and module not in self.locators:
            module, _, head = module.rpartition(".")
            path = f"{head}.{path}"
        return module, path

    def function(self, qualname: str) -> Optional[tuple[ModuleModel, Function, Locator]]:
        """A project function named by its qualified name."""
        module, path = self._split(qualname)
        function = self.locators[module].model.function_named(path) if module else None
        return (self.locators[module].model, function, self.locators[module]) if function is not None else None

    def constant(self, qualname: str, _depth: int = 0) -> Optional[tuple[ModuleModel, cst.BaseExpression]]:
        """The value a module-level name of a project module is assigned, once and as a whole
        (`CHARGE = "charge"`), through re-exports and `*` imports; None for anything else."""
        module, name = self._split(qualname)
        model = self.model(module) if module else None
        if model is None or "." in name or _depth > _MAX_REEXPORTS:
            return None
        bindings = model.bindings.get(name, [])
        if len(bindings) == 1 and bindings[0].kind == "assign" and bindings[0].index is None:
            return model, bindings[0].node
        if len(bindings) == 1 and bindings[0].kind == "import":
            return self.constant(bindings[0].qualname, _depth + 1)
        starred = self.through_star(model, name) if not bindings else None
        return self.constant(starred, _depth + 1) if starred else None

    def star_name(self, model: ModuleModel, expr: cst.BaseExpression, function: Optional[Function]) -> Optional[str]:
        """The qualified name of a plain name that nothing in `model` binds, from its `*` imports."""
        if isinstance(expr, cst.Name) and not model.bindings_of(expr, function)[1]:
            return self.through_star(model, expr.value)
        return None

    def through_star(self, model: ModuleModel, name: str, _seen: frozenset = frozenset()) -> Optional[str]:
        """The qualified name a name unbound in `model` has when a `from m import *` at its top
        level brings it from a project module, also through the `*` imports of that one (the last
        import that brings it wins, as in Python); private names are not brought."""
        found = None
        for statement in model.tree.body:
            for small in getattr(statement, "body", ()) if isinstance(statement, cst.SimpleStatementLine) else ():
                if isinstance(small, cst.ImportFrom) and isinstance(small.names, cst.ImportStar) and not name.startswith("_"):
                    source = self.model(_module_of(model, small))
                    if source is None or source.name in _seen or len(_seen) >= _MAX_REEXPORTS:
                        continue
                    if name in source.bindings:
                        found = f"{source.name}.{name}"
                    else:
                        found = self.through_star(source, name, _seen | {model.name}) or found
        return found


def _module_of(model: ModuleModel, node: cst.ImportFrom) -> str:
    """The module a `from ... import` names, relative imports resolved against `model`'s package."""
    module = cst.Module([]).code_for_node(node.module) if node.module is not None else ""
    if not node.relative:
        return model.resolve_module(module)
    base = model.package.split(".") if model.package else []
    up = len(node.relative) - 1
    base = base[: len(base) - up] if up else base
    return ".".join([*base, module] if module else base)


def relative(path: Path, root: Path) -> str:
    try:
        return path.resolve().relative_to(root).as_posix()
    except ValueError:
        return path.as_posix()
