"""The project's service graph: handlers, and the calls between them, built from summaries.

Nodes are handlers (their service, Restate names and kinds); edges are the calls that durable
code makes (request-response, one-way send, delayed send) with their key expression. Targets
are resolved from handler references (`ctx.object_call(account.verify, key=.., arg=..)`, the
handler imported from any module) and from Restate names (`ctx.generic_call("Account",
"verify", ..)`). Deadlock rules (RST402, RST403) and the `graph` command read it.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from functools import cached_property
from typing import TYPE_CHECKING, Iterator, Optional

from restate_lint.model import sdk
from restate_lint.project.summary import CallSummary

if TYPE_CHECKING:
    from restate_lint.project.link import FnId, Linker, ServiceId

CALL, SEND, DELAYED_SEND = "call", "send", "delayed_send"

MAX_CYCLE = 8  # objects on one cycle; longer chains are not searched


@dataclass(eq=False)
class Node:
    id: str
    service: str  # Restate service name (the variable name when the name is not a literal)
    service_kind: Optional[str]  # service | object | workflow; None: not defined in the project
    name: str  # Restate handler name
    kind: Optional[str]  # sdk handler kind; None when unknown or external
    service_id: Optional["ServiceId"] = None
    file: Optional[str] = None  # where the handler is defined
    function: Optional[str] = None

    @property
    def label(self) -> str:
        return f"{self.service}/{self.name}"

    @property
    def locks_key(self) -> bool:
        """An exclusive virtual-object handler: it holds its key until it finishes."""
        return self.service_kind == "object" and self.kind == sdk.EXCLUSIVE


@dataclass(eq=False)
class Edge:
    caller: Node
    callee: Node
    mode: str  # CALL | SEND | DELAYED_SEND
    method: str  # the context API (`object_call`, `generic_send`, ...)
    key_text: Optional[str]
    key_literal: Optional[str]
    own_key: bool  # the key is the caller's own (`ctx.key()`)
    module: str  # the module of the call
    call: int  # the call site's index in its module
    file: str

    @property
    def blocks(self) -> bool:
        """The caller waits for an exclusive callee while holding its own key."""
        return self.mode == CALL and self.caller.locks_key and self.callee.locks_key


@dataclass
class ServiceGraph:
    nodes: list[Node] = field(default_factory=list)
    edges: list[Edge] = field(default_factory=list)

    def services(self) -> dict[str, list[Node]]:
        """Nodes grouped by service id, in definition order."""
        groups: dict[str, list[Node]] = {}
        for node in self.nodes:
            groups.setdefault(node.id.rpartition("/")[0], []).append(node)
        return groups

    def self_calls(self) -> list[Edge]:
        """RST402: an exclusive handler calling an exclusive handler of its own object with its own key."""
        return [e for e in self.edges if e.blocks and e.callee.service_id == e.caller.service_id and e.key_text is not None and e.own_key]

    @cached_property
    def cycles(self) -> dict[Edge, list[Edge]]:
        """RST403: every blocking call on a cycle between virtual objects, with the shortest such cycle."""
        return _cycles(self)


def build_graph(linker: "Linker") -> ServiceGraph:
    graph = ServiceGraph()
    by_handler: dict["FnId", Node] = {}
    by_name: dict[str, list["ServiceId"]] = {}
    taken: set[str] = set()
    for sid, service in linker.services():
        label = service.name or service.var
        by_name.setdefault(label, []).append(sid)
        unique = _unique(label, taken)
        for fn in linker.handlers_of_service(sid):
            handler = linker.handler(fn)
            name = handler.name or linker.function(fn).name
            node = Node(f"{unique}/{name}", label, service.kind, name, handler.kind, sid, linker.modules[fn[0]].path, linker.function(fn).qualname)
            by_handler[fn] = node
            graph.nodes.append(node)
    components = linker.import_components()
    external: dict[tuple[str, str], Node] = {}
    for module, call in linker.calls():
        if call.method not in sdk.REQUEST_RESPONSE_CALLS and call.method not in sdk.SENDS:
            continue
        if call.function is None or not linker.holds(module, call.receiver) or linker.in_action((module, call.function)):
            continue
        root = linker.durable_root((module, call.function))
        callers = [by_handler[h] for h in linker.handlers_served_by(root) if h in by_handler] if root is not None else []
        if not callers:
            continue
        callee = _target(linker, module, call, by_handler, by_name, components, external, graph)
        if callee is None:
            continue
        own_key = linker.holds(module, call.own_key)
        for caller in callers:
            graph.edges.append(Edge(caller, callee, _mode(call), call.method, call.key_text, call.key_literal, own_key, module, call.index, linker.modules[module].path))
    return graph


def _unique(label: str, taken: set[str]) -> str:
    sid, n = label, 2
    while sid in taken:
        sid, n = f"{label}~{n}", n + 1
    taken.add(sid)
    return sid


def _mode(call: CallSummary) -> str:
    if call.method in sdk.REQUEST_RESPONSE_CALLS:
        return CALL
    return DELAYED_SEND if call.delayed else SEND


def _target(linker: "Linker", module: str, call: CallSummary, by_handler, by_name, components, external, graph) -> Optional[Node]:
    if call.generic is not None:
        service_name, handler_name = call.generic
        if service_name is None or handler_name is None:
            return None  # a dynamic target: no edge, never a guess
        sid = _service_named(service_name, module, by_name, components)
        if sid is not None:
            return next((by_handler[fn] for fn in linker.handlers_of_service(sid) if linker.handler(fn).name == handler_name and fn in by_handler), None)
        if service_name in by_name:
            return None  # several services carry that name: ambiguous
        node = external.get((service_name, handler_name))
        if node is None:
            node = external[(service_name, handler_name)] = Node(f"{service_name}/{handler_name}", service_name, None, handler_name, None)
            graph.nodes.append(node)
        return node
    fn = linker.resolve(module, call.target)
    return by_handler.get(fn) if fn is not None else None


def _service_named(name: str, module: str, by_name, components) -> Optional["ServiceId"]:
    """The service a Restate name means from `module`: the only one with that name, else the one
    in the same module, else the only one among the modules linked to it by imports."""
    candidates = by_name.get(name, [])
    if len(candidates) <= 1:
        return candidates[0] if candidates else None
    for narrowed in ([s for s in candidates if s[0] == module], [s for s in candidates if components.get(s[0]) == components.get(module)]):
        if len(narrowed) == 1:
            return narrowed[0]
    return None


# -- cycles ------------------------------------------------------------------------------------------
def _cycles(graph: ServiceGraph) -> dict[Edge, list[Edge]]:
    """Chains of blocking calls that come back to an object already waiting on the chain.

    A chain starts at an exclusive handler h and ends at an exclusive handler of h's object (h
    itself or another one: the key's lock is per object). The keys meet unless provably not: the
    call closing the chain uses a literal key, and every call into h in the project uses other
    literal keys."""
    blocking: dict[Node, list[Edge]] = {}
    incoming: dict[Node, list[Edge]] = {}
    for edge in graph.edges:
        incoming.setdefault(edge.callee, []).append(edge)
        if edge.blocks and edge.callee.service_id != edge.caller.service_id:
            blocking.setdefault(edge.caller, []).append(edge)
    found: dict[tuple, list[Edge]] = {}
    for start in graph.nodes:
        if start in blocking:
            _walk(start, [], {start.service_id}, blocking, incoming, found)
    best: dict[Edge, list[Edge]] = {}
    for cycle in sorted(found.values(), key=lambda c: (len(c), cycle_text(c))):
        for edge in cycle:
            best.setdefault(edge, cycle)
    return best


def _walk(start: Node, path: list[Edge], objects: set, blocking, incoming, found: dict) -> None:
    node = path[-1].callee if path else start
    for edge in blocking.get(node, []):
        service = edge.callee.service_id
        if service == start.service_id:
            cycle = [*path, edge]
            if not _keys_differ(start, edge, incoming):
                cycle = _rotated(cycle)
                found.setdefault(tuple(map(id, cycle)), cycle)
        elif service not in objects and len(path) + 1 < MAX_CYCLE:
            _walk(start, [*path, edge], objects | {service}, blocking, incoming, found)


def _keys_differ(start: Node, closing: Edge, incoming) -> bool:
    entry = [e.key_literal for e in incoming.get(start, [])]
    key = closing.key_literal
    return key is not None and bool(entry) and None not in entry and key not in entry


def _rotated(cycle: list[Edge]) -> list[Edge]:
    """A loop back to its first handler is the same cycle from each of its handlers: start it at
    the smallest one."""
    if cycle[-1].callee is not cycle[0].caller:
        return cycle
    turn = min(range(len(cycle)), key=lambda i: cycle[i].caller.id)
    return cycle[turn:] + cycle[:turn]


def cycle_text(cycle: list[Edge]) -> str:
    return " -> ".join([cycle[0].caller.label, *(e.callee.label for e in cycle)])


def iter_cycle_edges(graph: ServiceGraph) -> Iterator[Edge]:
    """Edges drawn as part of a deadlock (RST402 self-calls and RST403 cycles)."""
    yield from graph.self_calls()
    yield from graph.cycles
