"""RST107's function summaries: does a plain project function, when called, reach a catalogued
API (directly or through further project calls), and by which chain.

Summaries are memoised per project and catalogue. Recursion is cut at functions
whose summary is being computed; a negative answer that depended on such a cut
is only kept once the outermost computation is negative too (then nothing it
reached can reach anything).
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Optional

import libcst as cst

from restate_lint.catalogue import Api
from restate_lint.effects import Effects, function_sites
from restate_lint.model.module import CallSite, ModuleModel, run_action
from restate_lint.model.scope import Function


@dataclass(frozen=True)
class Chain:
    """How a function reaches an API: the project functions it calls on the way, then the API."""

    calls: tuple[str, ...]
    api: Api

    def via(self, name: str) -> "Chain":
        return Chain((name, *self.calls), self.api)

    def names(self) -> tuple[str, ...]:
        return (*self.calls, self.api.display)


def display_name(callee: Function, caller: Function) -> str:
    """How a chain shows a function: its name, prefixed with its module's when it lives elsewhere."""
    if callee.module is caller.module or not callee.module.name:
        return callee.qualname
    return f"{callee.module.name.rsplit('.', 1)[-1]}.{callee.qualname}"


def called_function(model: ModuleModel, site: CallSite) -> Optional[Function]:
    """The project function a call runs, if the call runs its body now: not a run action given
    as a call (`ctx.run("x", f())`), not an `async def` whose coroutine is never awaited here."""
    func = site.node.func
    if not isinstance(func, (cst.Name, cst.Attribute)) or site.op is not None:
        return None
    callee = model.action_function(func, site.function)
    if callee is None or callee.is_lambda:
        return None
    parent = site.parent
    if isinstance(parent, cst.Arg) and len(site.ancestors) >= 2:
        owner = model.call_sites.get(site.ancestors[-2])
        if owner is not None and owner.op is not None and owner.op.method in ("run", "run_typed") and run_action(owner.node) is site.node:
            return None
    if callee.is_async and not _coroutine_awaited(model, site):
        return None
    return callee


def _coroutine_awaited(model: ModuleModel, site: CallSite) -> bool:
    """The coroutine is awaited directly or through the name it is bound to."""
    if site.awaited:
        return True
    parent = site.parent
    if isinstance(parent, cst.Assign) and len(parent.targets) == 1 and isinstance(parent.targets[0].target, cst.Name):
        name = parent.targets[0].target.value
        return any(isinstance(a[-1], cst.Await) for _, a in model.uses_of(name, model.scope_of(name, site.function)) if a)
    return False


class Reach:
    def __init__(self, effects: Effects):
        self.effects = effects
        self.memo: dict[Function, Optional[Chain]] = {}
        self._active: list[Function] = []
        self._provisional: dict[Function, Optional[Chain]] = {}

    @staticmethod
    def of(model: ModuleModel, settings) -> "Reach":
        effects = Effects.of(model, settings)
        key = ("reach", effects)
        if key not in model.project.analyses:
            model.project.analyses[key] = Reach(effects)
        return model.project.analyses[key]

    def chain(self, function: Function) -> Optional[Chain]:
        """What calling `function` reaches, or None."""
        if function in self.memo:
            return self.memo[function]
        if function in self._provisional:
            return self._provisional[function]
        if function in self._active:
            return None
        self._active.append(function)
        try:
            found, cut = self._compute(function)
        except RecursionError:  # a call chain deeper than Python's stack: no verdict for it
            if len(self._active) > 1:
                raise
            self._provisional.clear()
            return None
        finally:
            self._active.pop()
        if found is not None or not cut:
            self.memo[function] = found
        elif self._active:
            self._provisional[function] = None
        if not self._active:
            if found is None:
                self.memo.update(self._provisional)
            self._provisional.clear()
        return found

    def _compute(self, function: Function) -> tuple[Optional[Chain], bool]:
        model = function.module
        sites = function_sites(model, function)
        for site, api in self.effects.in_sites(model, iter(sites)):
            return Chain((), api), False
        cut = False
        for site in sites:
            if not isinstance(site, CallSite):
                continue
            callee = called_function(model, site)
            if callee is None or callee.is_durable:  # durable code is checked where it stands
                continue
            if callee in self._active:
                cut = True
                continue
            found = self.chain(callee)
            if found is not None:
                return found.via(display_name(callee, function)), False
            cut = cut or callee in self._provisional
        return None, cut
