"""RST402-RST403: request-response calls that wait for a virtual-object key the caller holds."""

from __future__ import annotations

from typing import Iterable, Iterator

from restate_lint.diagnostics import Finding
from restate_lint.graph import Edge, cycle_text
from restate_lint.model.module import ModuleModel
from restate_lint.rules.base import check, define

RST402 = define("RST402", "self-call-deadlock", "E", "none", "exclusive handler calls its own object and key and waits")
RST403 = define("RST403", "exclusive-call-cycle", "E", "none", "cycle of request-response calls between exclusive virtual-object handlers")

_WAY_OUT = "Use a one-way send (`ctx.object_send`), or a `kind=\"shared\"` handler for reads"


@check(RST402)
def self_call_deadlock(model: ModuleModel, settings) -> Iterator[Finding]:
    for edge in _once_per_call(model, model.project.service_graph().self_calls()):
        yield Finding("RST402", edge.site.node, f"`{edge.caller.label}` calls the exclusive handler `{edge.callee.label}` of its own key and waits: the callee queues behind the caller, which never finishes (deadlock). {_WAY_OUT}, or do the work inline")


@check(RST403)
def exclusive_call_cycle(model: ModuleModel, settings) -> Iterator[Finding]:
    cycles = model.project.service_graph().cycles
    for edge in _once_per_call(model, cycles):
        yield Finding("RST403", edge.site.node, f"Request-response calls between exclusive handlers form a cycle: {cycle_text(cycles[edge])}. When the keys meet, each handler holds its key while waiting for the next: deadlock. {_WAY_OUT} to break the cycle")


def _once_per_call(model: ModuleModel, edges: Iterable[Edge]) -> Iterator[Edge]:
    """Edges whose call is in this module, one per call (a helper's call is an edge of each
    handler that uses the helper)."""
    seen = set()
    for edge in edges:
        if edge.model is model and edge.site not in seen:
            seen.add(edge.site)
            yield edge
