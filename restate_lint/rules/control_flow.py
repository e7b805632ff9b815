"""RST103: values from non-deterministic or I/O sources deciding what durable code journals."""

from __future__ import annotations

from typing import Iterator, Optional

import libcst as cst

from restate_lint.diagnostics import Finding
from restate_lint.analysis.sources import nondeterministic_flow
from restate_lint.model import sdk
from restate_lint.model.journal import comprehension_journals, exits, journals, journals_later
from restate_lint.model.module import ModuleModel, Site
from restate_lint.model.services import argument
from restate_lint.rules.base import check, one_per_cause
from restate_lint.registry import RULES

RST103 = RULES["RST103"]

_SLEEP_EFFECT = "the timer journaled by the first attempt wins, and every replay computes a different duration than the one that was slept"
_RETURNED = "() -> "  # how a source shows a project function's return value (`pick() -> random.random`)
_ADVICE = "Derive it from `ctx.random()`, `ctx.uuid()` or `await ctx.time()`, or compute it inside `ctx.run`"


@check(RST103)
def nondeterministic_control_flow(model: ModuleModel, settings) -> Iterator[Finding]:
    yield from one_per_cause(model, _findings(model, settings), "also decides")


def _findings(model: ModuleModel, settings) -> Iterator[tuple[tuple, Finding]]:
    """Each decision with its cause: the function and the source (one value read in one handler
    and deciding several things is one finding). A value returned by a project function is left to
    RST107 (or RST101 in a context helper), which reports its source where the reader acts."""
    flow = nondeterministic_flow(model, settings)
    for site, what, expr in _decisions(model):
        source = flow.source(model, expr, site.function, flow.env_at(model, site.ancestors, site.function))
        if source and _RETURNED not in source:
            yield (site.function, source), Finding(
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
            if source and _RETURNED not in source:
                effect = _SLEEP_EFFECT if site.op.method == "sleep" else "the operation then no longer matches its journal entry (journal mismatch, RT0016)"
                yield (site.function, source), Finding("RST103", arg.value, f"The {what} of `ctx.{site.op.method}(..)` depends on `{source}`, which can differ on replay: {effect}. {_ADVICE}")


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

