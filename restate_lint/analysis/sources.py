"""RST103's sources: values from non-deterministic or I/O APIs, also through the return values of
project functions."""

from __future__ import annotations

from typing import Optional, Union

import libcst as cst

from restate_lint.analysis.calls import called_function
from restate_lint.analysis.effects import Effects
from restate_lint.analysis.flow import Flow
from restate_lint.catalogue import CONCURRENCY
from restate_lint.model.facts import ForeignFunction
from restate_lint.model.module import ModuleModel
from restate_lint.model.scope import Function


class Sources:
    """RST101/RST102 sources, and project functions whose return value derives from one."""

    def __init__(self, effects: Effects):
        self.effects = effects
        self.flow = Flow(self.call, self.read)
        self._returns: dict[Function, Optional[str]] = {}

    def call(self, model: ModuleModel, call: cst.Call, function: Optional[Function]) -> Optional[str]:
        api = self.effects.call(model, call, function)
        if api is not None:
            return api.display if api.kind != CONCURRENCY else None
        site = model.call_sites.get(call)
        callee = called_function(model, site) if site is not None and site.function is not None else None
        return self.returned(callee) if callee is not None else None

    def read(self, model: ModuleModel, expr: cst.BaseExpression, function: Optional[Function]) -> Optional[str]:
        api = self.effects.read(model, expr, function)
        return api.name if api is not None else None

    def returned(self, function: Union[Function, ForeignFunction]) -> Optional[str]:
        """The source `function`'s return value derives from (for a function of another module,
        as its own module's summary found it)."""
        if isinstance(function, ForeignFunction):
            return function.return_source
        if function in self._returns:
            return self._returns[function]
        self._returns[function] = None  # recursion adds nothing
        found = None
        for ret in returns(function):
            source = self.flow.source(function.module, ret, function)
            if source:
                found = f"{function.name}() -> {source}"
                break
        self._returns[function] = found
        return found


def returns(function: Function) -> list[cst.BaseExpression]:
    return [site.node.value for site in function.module.sites_in(function, cst.Return) if site.node.value is not None]


def sources_of(model: ModuleModel, settings) -> Sources:
    effects = Effects.of(model, settings)
    key = ("sources", effects)
    if key not in model.analyses:
        model.analyses[key] = Sources(effects)
    return model.analyses[key]


def nondeterministic_flow(model: ModuleModel, settings) -> Flow:
    return sources_of(model, settings).flow
