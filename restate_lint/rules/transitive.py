"""RST107: durable code calling a project function that reaches a catalogued API."""

from __future__ import annotations

from typing import Iterator

from restate_lint.catalogue import CONCURRENCY, IO
from restate_lint.diagnostics import Finding
from restate_lint.model.module import ModuleModel
from restate_lint.rules.base import check
from restate_lint.registry import RULES

RST107 = RULES["RST107"]

_WHAT = {IO: "does I/O", CONCURRENCY: "uses native concurrency"}


@check(RST107)
def transitive_nondeterminism(model: ModuleModel, settings) -> Iterator[Finding]:
    """What a called function reaches is a project fact (the chain may cross modules): the link
    stage found it for every call of this module; durable code is checked where it stands."""
    for index, reached in model.facts.reached if model.facts is not None else ():
        site = model.calls[index]
        if not site.in_durable_code:
            continue
        caller = site.function.durable_root() or site.function
        path = " -> ".join((caller.name, reached.callee, *reached.chain))
        what = _WHAT.get(reached.kind, "is not deterministic")
        yield Finding(
            "RST107", site.node,
            f"`{model.tree.code_for_node(site.node.func)}(..)` reaches `{reached.api}`, which {what}, outside a run action ({path}): "
            f"it runs again on every replay. Call it inside `ctx.run_typed(..)`, or pass the value in from `ctx`",
        )  # fmt: skip
