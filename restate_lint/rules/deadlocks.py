"""RST402-RST403: request-response calls that wait for a virtual-object key the caller holds."""

from __future__ import annotations

from typing import Iterator

from restate_lint.diagnostics import Finding
from restate_lint.model.module import ModuleModel
from restate_lint.rules.base import check
from restate_lint.registry import RULES

RST402 = RULES["RST402"]
RST403 = RULES["RST403"]

_WAY_OUT = "Use a one-way send (`ctx.object_send`), or a `kind=\"shared\"` handler for reads"


@check(RST402, RST403)
def deadlocks(model: ModuleModel, settings) -> Iterator[Finding]:
    """The service graph is the whole project's: the link stage found this module's calls on a
    deadlock, one per call (a helper's call is an edge of each handler that uses it)."""
    for deadlock in model.facts.deadlocks if model.facts is not None else ():
        node = model.calls[deadlock.call].node
        if deadlock.code == "RST402":
            yield Finding("RST402", node, f"`{deadlock.caller}` calls the exclusive handler `{deadlock.callee}` of its own key and waits: the callee queues behind the caller, which never finishes (deadlock). {_WAY_OUT}, or do the work inline")
        else:
            yield Finding("RST403", node, f"Request-response calls between exclusive handlers form a cycle: {deadlock.cycle}. When the keys meet, each handler holds its key while waiting for the next: deadlock. {_WAY_OUT} to break the cycle")
