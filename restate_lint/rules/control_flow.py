"""RST103: values from non-deterministic or I/O sources deciding what durable code journals."""

from __future__ import annotations

from typing import Iterator, Optional

import libcst as cst

from restate_lint.catalogue import CONCURRENCY
from restate_lint.diagnostics import Finding
from restate_lint.effects import Effects
from restate_lint.flow import Flow
from restate_lint.model import sdk
from restate_lint.model.journal import comprehension_journals, exits, journals, journals_later
from restate_lint.model.module import ModuleModel, Site
from restate_lint.model.scope import Function
from restate_lint.model.services import argument
from restate_lint.reach import called_function
from restate_lint.rules.base import check, define

RST103 = define("RST103", "nondeterministic-control-flow", "E", "none", "non-deterministic value decides control flow or a journal entry")

_SLEEP_EFFECT = "the timer journaled by the first attempt wins, and every replay computes a different duration than the one that was slept"
_ADVICE = "Derive it from `ctx.random()`, `ctx.uuid()` or `await ctx.time()`, or compute it inside `ctx.run`"


class _Sources:
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

    def returned(self, function: Function) -> Optional[str]:
        """The source `function`'s return value derives from."""
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


def nondeterministic_flow(model: ModuleModel, settings) -> Flow:
    effects = Effects.of(model, settings)
    key = ("nondeterministic flow", effects)
    if key not in model.project.analyses:
        model.project.analyses[key] = _Sources(effects).flow
    return model.project.analyses[key]


@check(RST103)
def nondeterministic_control_flow(model: ModuleModel, settings) -> Iterator[Finding]:
    flow = nondeterministic_flow(model, settings)
    for site, what, expr in _decisions(model):
        source = flow.source(model, expr, site.function, flow.env_at(model, site.ancestors, site.function))
        if source:
            yield Finding(
                "RST103", expr,
                f"The {what} depends on `{source}`, which can differ on replay: the handler may then issue other durable operations "
                f"than its journal records (journal mismatch, RT0016). {_ADVICE}",
            )  # fmt: skip
    for site in model.durable_ops():
        if not site.in_durable_code:
            continue
        for position, keyword, what in sdk.JOURNAL_SHAPING_ARGS.get(site.op.method, ()):
            arg = argument(site.node, position, keyword)
            if arg is None:
                continue
            source = flow.source(model, arg.value, site.function, flow.env_at(model, site.ancestors, site.function))
            if source:
                effect = _SLEEP_EFFECT if site.op.method == "sleep" else "the operation then no longer matches its journal entry (journal mismatch, RT0016)"
                yield Finding("RST103", arg.value, f"The {what} of `ctx.{site.op.method}(..)` depends on `{source}`, which can differ on replay: {effect}. {_ADVICE}")


def _decisions(model: ModuleModel) -> Iterator[tuple[Site, str, cst.BaseExpression]]:
    """Conditions and loop iterables in durable code whose outcome changes which durable
    operations run: (site, what it is, the deciding expression)."""
    for kind in (cst.If, cst.While, cst.For, cst.Match, cst.IfExp, cst.CompFor):
        for site in model.sites[kind]:
            if not site.in_durable_code:
                continue
            node = site.node
            if isinstance(node, cst.If) and _steers(model, site, node.body, node.orelse):
                yield site, "`if` condition", node.test
            elif isinstance(node, cst.While) and _steers(model, site, node.body, node.orelse):
                yield site, "`while` condition", node.test
            elif isinstance(node, cst.For) and _steers(model, site, node.body):
                yield site, "loop iterable", node.iter
            elif isinstance(node, cst.Match) and _steers(model, site, *node.cases):
                yield site, "`match` subject", node.subject
            elif isinstance(node, cst.IfExp) and (journals(model, node.body) or journals(model, node.orelse)):
                yield site, "conditional expression", node.test
            elif isinstance(node, cst.CompFor) and comprehension_journals(model, site):
                yield site, "comprehension iterable", node.iter
                for condition in node.ifs:
                    yield site, "comprehension condition", condition.test


def _steers(model: ModuleModel, site: Site, *regions: Optional[cst.CSTNode]) -> bool:
    """Running one region rather than another (or not at all) changes the journal: a region issues
    a durable operation, or leaves early while durable operations follow."""
    present = [r for r in regions if r is not None]
    if any(journals(model, r) for r in present):
        return True
    return any(exits(r) for r in present) and journals_later(model, site, site.function)

