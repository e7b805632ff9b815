"""RST107: durable code calling a project function that reaches a catalogued API."""

from __future__ import annotations

from typing import Iterator

from restate_lint.catalogue import CONCURRENCY, IO
from restate_lint.diagnostics import Finding
from restate_lint.model.module import ModuleModel
from restate_lint.reach import Reach, called_function, display_name
from restate_lint.rules.base import check, define

RST107 = define("RST107", "transitive-nondeterminism", "E", "none", "call to a project function that reaches a non-deterministic, I/O or concurrency API")

_WHAT = {IO: "does I/O", CONCURRENCY: "uses native concurrency"}


@check(RST107)
def transitive_nondeterminism(model: ModuleModel, settings) -> Iterator[Finding]:
    reach = Reach.of(model, settings)
    for site in model.calls:
        if not site.in_durable_code:
            continue
        callee = called_function(model, site)
        if callee is None or callee.is_durable:  # durable code is checked where it stands
            continue
        chain = reach.chain(callee)
        if chain is None:
            continue
        caller = site.function.durable_root() or site.function
        path = " -> ".join((caller.name, display_name(callee, site.function), *chain.names()))
        what = _WHAT.get(chain.api.kind, "is not deterministic")
        yield Finding(
            "RST107", site.node,
            f"`{model.tree.code_for_node(site.node.func)}(..)` reaches `{chain.api.display}`, which {what}, outside a run action ({path}): "
            f"it runs again on every replay. Call it inside `ctx.run_typed(..)`, or pass the value in from `ctx`",
        )  # fmt: skip
