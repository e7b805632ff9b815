"""RST402-RST403: request-response calls that wait for a virtual-object key the caller holds."""

from __future__ import annotations

from typing import Iterator

from restate_lint.diagnostics import Finding
from restate_lint.graph import cycle_text
from restate_lint.model.module import ModuleModel
from restate_lint.rules.base import check, define

RST402 = define("RST402", "self-call-deadlock", "E", "none", "exclusive handler calls its own object and key and waits")
RST403 = define("RST403", "exclusive-call-cycle", "E", "none", "cycle of request-response calls between exclusive virtual-object handlers")

_WAY_OUT = "Use a one-way send (`ctx.object_send`), or a `kind=\"shared\"` handler for reads"


@check(RST402)
def self_call_deadlock(model: ModuleModel, settings) -> Iterator[Finding]:
    for edge in model.project.service_graph().self_calls():
        if edge.model is model:
            yield Finding("RST402", edge.site.node, f"`{edge.caller.label}` calls the exclusive handler `{edge.callee.label}` of its own key and waits: the callee queues behind the caller, which never finishes (deadlock). {_WAY_OUT}, or do the work inline")


@check(RST403)
def exclusive_call_cycle(model: ModuleModel, settings) -> Iterator[Finding]:
    for edge, cycle in model.project.service_graph().cycles.items():
        if edge.model is model:
            yield Finding("RST403", edge.site.node, f"Request-response calls between exclusive handlers form a cycle: {cycle_text(cycle)}. When the keys meet, each handler holds its key while waiting for the next: deadlock. {_WAY_OUT} to break the cycle")
