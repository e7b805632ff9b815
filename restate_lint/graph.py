"""The project's service graph: handlers, and the calls between them.

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

import libcst as cst

from restate_lint.model import sdk
from restate_lint.model.module import CallSite, ModuleModel
from restate_lint.model.scope import Function
from restate_lint.model.services import Handler, ServiceDef, argument, literal_string

if TYPE_CHECKING:
    from restate_lint.project import Project

CALL, SEND, DELAYED_SEND = "call", "send", "delayed_send"

MAX_CYCLE = 8  # objects on one cycle; longer chains are not searched


@dataclass(eq=False)
class Node:
    id: str
    service: str  # Restate service name (the variable name when the name is not a literal)
    service_kind: Optional[str]  # service | object | workflow; None: not defined in the project
    name: str  # Restate handler name
    kind: Optional[str]  # sdk handler kind; None when unknown or external
    handler: Optional[Handler] = None
    service_def: Optional[ServiceDef] = None

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
    key: Optional[cst.BaseExpression]
    site: CallSite
    model: ModuleModel

    @property
    def key_text(self) -> Optional[str]:
        return self.model.tree.code_for_node(self.key) if self.key is not None else None

    @property
    def key_literal(self) -> Optional[str]:
        return literal_string(self.key)

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
        return [e for e in self.edges if e.blocks and e.callee.service_def is e.caller.service_def and e.key is not None and e.model.is_own_key(e.key, e.site.function)]

    @cached_property
    def cycles(self) -> dict[Edge, list[Edge]]:
        """RST403: every blocking call on a cycle between virtual objects, with the shortest such cycle."""
        return _cycles(self)


def build_graph(project: "Project") -> ServiceGraph:
    graph = ServiceGraph()
    by_handler: dict[Handler, Node] = {}
    by_name: dict[str, list[ServiceDef]] = {}
    models = sorted(project.models(), key=lambda m: m.name)
    taken: set[str] = set()
    for model in models:
        for service in _services(model):
            by_name.setdefault(service.label, []).append(service)
            sid = _unique(service.label, taken)
            for handler in service.handlers:
                node = Node(f"{sid}/{handler.name or handler.function.name}", service.label, service.kind, handler.name or handler.function.name, handler.kind, handler, service)
                by_handler[handler] = node
                graph.nodes.append(node)
    components = _import_components(project, models)
    helpers = _Helpers(models)
    external: dict[tuple[str, str], Node] = {}
    for model in models:
        for site in model.durable_ops():
            method = site.op.method
            if method not in sdk.REQUEST_RESPONSE_CALLS and method not in sdk.SENDS:
                continue
            root = site.function.durable_root() if site.function is not None and not site.in_action else None
            callers = [by_handler[h] for h in helpers.handlers_of(root) if h in by_handler] if root is not None else []
            if not callers:
                continue
            callee = _target(model, site, by_handler, by_name, components, external, graph)
            if callee is None:
                continue
            for caller in callers:
                graph.edges.append(Edge(caller, callee, _mode(site), method, _key(site), site, model))
    return graph


class _Helpers:
    """Which handlers a context helper works for: `await reserve_stock(ctx, ..)` in a handler makes
    the helper's calls that handler's calls (through helpers calling helpers, too)."""

    def __init__(self, models: list[ModuleModel]):
        self.callers: dict[Function, list[Function]] = {}
        for model in models:
            for site in model.calls:
                if not site.in_durable_code or not isinstance(site.node.func, (cst.Name, cst.Attribute)):
                    continue
                if not any(model.is_context_value(a.value, site.function) for a in site.node.args):
                    continue
                callee = model.action_function(site.node.func, site.function)
                if callee is not None and callee.handler is None and callee.context_params:
                    self.callers.setdefault(callee, []).append(site.function.durable_root())

    def handlers_of(self, root: Function, _seen: Optional[set] = None) -> list[Handler]:
        if root.handler is not None:
            return [root.handler]
        seen = _seen if _seen is not None else {root}
        found: list[Handler] = []
        for caller in self.callers.get(root, []):
            if caller is not None and caller not in seen:
                seen.add(caller)
                found += [h for h in self.handlers_of(caller, seen) if h not in found]
        return found


def _services(model: ModuleModel) -> list[ServiceDef]:
    return [s for s in model.services.values() if s.module is model]


def _unique(label: str, taken: set[str]) -> str:
    sid, n = label, 2
    while sid in taken:
        sid, n = f"{label}~{n}", n + 1
    taken.add(sid)
    return sid


def _mode(site: CallSite) -> str:
    method = site.op.method
    if method in sdk.REQUEST_RESPONSE_CALLS:
        return CALL
    return DELAYED_SEND if argument(site.node, sdk.SEND_DELAY_POSITION[method], "send_delay") is not None else SEND


def _key(site: CallSite) -> Optional[cst.BaseExpression]:
    position = sdk.KEY_POSITION.get(site.op.method)
    arg = argument(site.node, position, "key") if position is not None else None
    return arg.value if arg is not None else None


def _target(model, site, by_handler, by_name, components, external, graph) -> Optional[Node]:
    call = site.node
    if site.op.method.startswith("generic_"):
        service_arg, handler_arg = argument(call, 0, "service"), argument(call, 1, "handler")
        service_name = literal_string(service_arg.value) if service_arg else None
        handler_name = literal_string(handler_arg.value) if handler_arg else None
        if service_name is None or handler_name is None:
            return None  # a dynamic target: no edge, never a guess
        service = _service_named(service_name, model, by_name, components)
        if service is not None:
            return next((by_handler[h] for h in service.handlers if h.name == handler_name and h in by_handler), None)
        if service_name in by_name:
            return None  # several services carry that name: ambiguous
        node = external.get((service_name, handler_name))
        if node is None:
            node = external[(service_name, handler_name)] = Node(f"{service_name}/{handler_name}", service_name, None, handler_name, None)
            graph.nodes.append(node)
        return node
    target = argument(call, 0, "tpe")
    if target is None or not isinstance(target.value, (cst.Name, cst.Attribute)):
        return None
    function = model.action_function(target.value, site.function)
    return by_handler.get(function.handler) if function is not None and function.handler is not None else None


def _service_named(name: str, model: ModuleModel, by_name, components) -> Optional[ServiceDef]:
    """The service a Restate name means from `model`: the only one with that name, else the one in
    the same module, else the only one among the modules linked to it by imports."""
    candidates = by_name.get(name, [])
    if len(candidates) <= 1:
        return candidates[0] if candidates else None
    for narrowed in ([s for s in candidates if s.module is model], [s for s in candidates if components.get(s.module.name) == components.get(model.name)]):
        if len(narrowed) == 1:
            return narrowed[0]
    return None


def _import_components(project: "Project", models: list[ModuleModel]) -> dict[str, int]:
    """Modules linked by imports (either way) share a component number: one application."""
    parent = {m.name: m.name for m in models}

    def find(name: str) -> str:
        while parent[name] != name:
            parent[name] = parent[parent[name]]
            name = parent[name]
        return name

    for model in models:
        for imported in project.imported_modules(model):
            if imported in parent:
                parent[find(imported)] = find(model.name)
    roots: dict[str, int] = {}
    return {name: roots.setdefault(find(name), len(roots)) for name in parent}


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
        if edge.blocks and edge.callee.service_def is not edge.caller.service_def:
            blocking.setdefault(edge.caller, []).append(edge)
    found: dict[tuple, list[Edge]] = {}
    for start in graph.nodes:
        if start in blocking:
            _walk(start, [], {start.service_def}, blocking, incoming, found)
    best: dict[Edge, list[Edge]] = {}
    for cycle in sorted(found.values(), key=lambda c: (len(c), cycle_text(c))):
        for edge in cycle:
            best.setdefault(edge, cycle)
    return best


def _walk(start: Node, path: list[Edge], objects: set, blocking, incoming, found: dict) -> None:
    node = path[-1].callee if path else start
    for edge in blocking.get(node, []):
        service = edge.callee.service_def
        if service is start.service_def:
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
