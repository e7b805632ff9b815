"""The service graph as Mermaid, Graphviz DOT or JSON.

Services are boxes grouped by kind colour (service, virtual object, workflow); exclusive
handlers are solid, shared ones dashed; request-response calls are solid arrows, sends dashed,
delayed sends dotted; the calls of a deadlock (RST402 self-call, RST403 cycle) are red and bold.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Optional

from restate_lint.project.graph import CALL, DELAYED_SEND, SEND, Edge, Node, ServiceGraph, cycle_text, iter_cycle_edges
from restate_lint.model import sdk

_KIND_TITLE = {"service": "Service", "object": "Virtual object", "workflow": "Workflow", None: "not in this project"}
_FILL = {"service": "#e8f1fb", "object": "#fdf1e3", "workflow": "#eaf6ec", None: "#f2f2f2"}
_BORDER = {"service": "#3b7dd8", "object": "#d9822b", "workflow": "#3a9a4f", None: "#999999"}
_HANDLER_KIND = {sdk.SERVICE: "", sdk.EXCLUSIVE: "exclusive", sdk.SHARED: "shared", sdk.WORKFLOW_MAIN: "main", sdk.WORKFLOW_SHARED: "shared", None: ""}
_MODE_LABEL = {CALL: "call", SEND: "send", DELAYED_SEND: "delayed send"}
_DEADLOCK = "#d62728"


def _is_shared(node: Node) -> bool:
    return node.kind in (sdk.SHARED, sdk.WORKFLOW_SHARED)


def _edge_label(edge: Edge) -> str:
    label = _MODE_LABEL[edge.mode]
    key = edge.key_text
    if key is not None:
        label += f" [{key if len(key) <= 24 else key[:21] + '...'}]"
    return label


def _deadlocks(graph: ServiceGraph) -> set:
    return set(iter_cycle_edges(graph))


# -- DOT ----------------------------------------------------------------------------------------------
def _dot_quote(text: str) -> str:
    return '"' + text.replace("\\", "\\\\").replace('"', '\\"') + '"'


def to_dot(graph: ServiceGraph) -> str:
    deadlocks = _deadlocks(graph)
    ids = {node: f"n{i}" for i, node in enumerate(graph.nodes)}
    lines = [
        "digraph restate {",
        '  graph [rankdir=LR, fontname="Helvetica", fontsize=12, nodesep=0.35, ranksep=0.9, pad=0.3, bgcolor="white", compound=true];',
        '  node [fontname="Helvetica", fontsize=11, shape=box, style="rounded,filled", fillcolor="white", penwidth=1.2];',
        '  edge [fontname="Helvetica", fontsize=9, color="#555555", fontcolor="#444444", arrowsize=0.7];',
    ]
    for index, (sid, nodes) in enumerate(graph.services().items()):
        first = nodes[0]
        kind = first.service_kind
        lines += [
            f"  subgraph cluster_{index} {{",
            f'    label=<<b>{_html(first.service)}</b><br/><font point-size="9">{_KIND_TITLE[kind]}</font>>;',
            f'    style="rounded,filled"; fillcolor="{_FILL[kind]}"; color="{_BORDER[kind]}"; penwidth=1.5;',
        ]
        for node in nodes:
            kind_text = _HANDLER_KIND[node.kind]
            label = f"<{_html(node.name)}" + (f'<br/><font point-size="8" color="#777777">{kind_text}</font>' if kind_text else "") + ">"
            style = '"rounded,filled,dashed"' if _is_shared(node) or kind is None else '"rounded,filled"'
            lines.append(f"    {ids[node]} [label={label}, style={style}, color=\"{_BORDER[kind]}\"];")
        lines.append("  }")
    for edge in graph.edges:
        attrs = {"label": _dot_quote(_edge_label(edge))}
        if edge.mode == SEND:
            attrs["style"] = "dashed"
        elif edge.mode == DELAYED_SEND:
            attrs["style"] = "dotted"
            attrs["arrowhead"] = "veeodot"
        if edge in deadlocks:
            attrs.update(color=f'"{_DEADLOCK}"', fontcolor=f'"{_DEADLOCK}"', penwidth="2.4")
        lines.append(f"  {ids[edge.caller]} -> {ids[edge.callee]} [{', '.join(f'{k}={v}' for k, v in attrs.items())}];")
    lines.append(_dot_legend())
    lines.append("}")
    return "\n".join(lines) + "\n"


def _dot_legend() -> str:
    rows = [
        "<b>Legend</b>",
        "━━━▶  call: the caller waits",
        "╍╍╍▶  send (one-way)",
        "┈┈┈▶  delayed send",
        f'<font color="{_DEADLOCK}">━━━▶  deadlock (RST402 / RST403)</font>',
        "solid box: exclusive · dashed box: shared",
    ]
    cells = "".join(f'<tr><td align="left">{row}</td></tr>' for row in rows)
    return f'  legend [shape=box, style="rounded", color="#bbbbbb", fontsize=9, margin="0.15,0.08", label=<<table border="0" cellborder="0" cellspacing="1">{cells}</table>>];'


def _html(text: str) -> str:
    return text.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")


# -- Mermaid ---------------------------------------------------------------------------------------------
def _mermaid_text(text: str) -> str:
    return text.replace('"', "#quot;")


def to_mermaid(graph: ServiceGraph) -> str:
    deadlocks = _deadlocks(graph)
    ids = {node: f"n{i}" for i, node in enumerate(graph.nodes)}
    lines = ["flowchart LR"]
    for index, (sid, nodes) in enumerate(graph.services().items()):
        first = nodes[0]
        lines.append(f'  subgraph s{index}["{_mermaid_text(first.service)} · {_KIND_TITLE[first.service_kind]}"]')
        for node in nodes:
            kind_text = _HANDLER_KIND[node.kind]
            text = _mermaid_text(node.name) + (f"<br/><small>{kind_text}</small>" if kind_text else "")
            shape = f'(["{text}"])' if _is_shared(node) else f'["{text}"]'
            lines.append(f"    {ids[node]}{shape}")
            lines.append(f"    class {ids[node]} {'shared' if _is_shared(node) else 'handler'}")
        lines.append("  end")
        lines.append(f"  style s{index} fill:{_FILL[first.service_kind]},stroke:{_BORDER[first.service_kind]}")
    red = []
    for index, edge in enumerate(graph.edges):
        arrow = {CALL: "==>" if edge in deadlocks else "-->", SEND: "-.->", DELAYED_SEND: "-.->"}[edge.mode]
        label = _mermaid_text(_edge_label(edge))
        lines.append(f'  {ids[edge.caller]} {arrow}|"{label}"| {ids[edge.callee]}')
        if edge in deadlocks:
            red.append(str(index))
    lines.append("  classDef handler fill:#ffffff,stroke:#555555,stroke-width:1.5px")
    lines.append("  classDef shared fill:#ffffff,stroke:#888888,stroke-dasharray:4 3")
    if red:
        lines.append(f"  linkStyle {','.join(red)} stroke:{_DEADLOCK},stroke-width:3px,color:{_DEADLOCK}")
    return "\n".join(lines) + "\n"


# -- JSON ------------------------------------------------------------------------------------------------
def to_json(graph: ServiceGraph, root: Optional[Path] = None) -> str:
    cycles = graph.cycles
    self_calls = set(graph.self_calls())
    nodes = [
        {"id": n.id, "service": n.service, "service_kind": n.service_kind, "handler": n.name, "kind": n.kind, "file": _path(n.file, root) if n.file else None, "function": n.function}
        for n in graph.nodes
    ]  # fmt: skip
    edges = [
        {"from": e.caller.id, "to": e.callee.id, "mode": e.mode, "method": e.method, "key": e.key_text, "file": _path(e.file, root), "deadlock": "RST402" if e in self_calls else "RST403" if e in cycles else None, "cycle": cycle_text(cycles[e]) if e in cycles else None}
        for e in graph.edges
    ]  # fmt: skip
    return json.dumps({"nodes": nodes, "edges": edges}, indent=2)


def _path(path: str, root: Optional[Path]) -> str:
    if root is None:
        return path
    try:
        return Path(path).resolve().relative_to(root.resolve()).as_posix()
    except ValueError:
        return path
