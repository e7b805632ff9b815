"""The journal shape of a handler: the durable operations it can issue, in order, with branches as
alternatives and loops as repetitions, derived from the module's model.

An item is `{"op": kind, ...what identifies the entry (run name, state key, call target)...,
"at": location}`, `{"alt": [items, items, ...]}` (an `if`, `match`, `try` handlers, one per way
through) or `{"repeat": items}` (a loop or comprehension body: zero or more times). The body of a
project helper that receives the context is spliced in where it is called; one outside the project
(or too deep) is one `{"op": "helper"}` item (what it journals is not followed).
"""

from __future__ import annotations

from typing import Callable, Optional

import libcst as cst

from restate_lint.model.module import CallSite, ModuleModel
from restate_lint.model.scope import Function
from restate_lint.model.services import argument, literal_string

Shape = list  # of items (dicts)
Locate = Callable[[cst.CSTNode], dict]
# a project function by qualified name: its module's model, the function, how to locate its nodes
Find = Callable[[str], Optional[tuple[ModuleModel, Function, Locate]]]

_COMPREHENSIONS = (cst.ListComp, cst.SetComp, cst.GeneratorExp, cst.DictComp)
_MAX_HELPER_DEPTH = 4

# the journal entry each operation writes: SDK method -> entry kind
_KINDS = {
    "run": "run", "run_typed": "run", "time": "run", "sleep": "sleep",
    "get": "get_state", "state_keys": "get_state_keys", "set": "set_state", "clear": "clear_state", "clear_all": "clear_all_state",
    "service_call": "call", "object_call": "call", "workflow_call": "call", "generic_call": "call",
    "service_send": "send", "object_send": "send", "workflow_send": "send", "generic_send": "send",
    "awakeable": "awakeable", "resolve_awakeable": "complete_awakeable", "reject_awakeable": "complete_awakeable",
    "signal": "signal", "resolve_signal": "complete_signal", "reject_signal": "complete_signal",
    "attach_invocation": "attach_invocation", "cancel_invocation": "cancel_invocation",
    "value": "get_promise", "peek": "peek_promise", "resolve": "complete_promise", "reject": "complete_promise",
}  # fmt: skip
IDENTITY = ("op", "name", "key", "target")  # what two items must share to be the same journal entry


def handler_shape(model: ModuleModel, function: Function, locate: Locate, find: Find = lambda qualname: None) -> Shape:
    return _Shaper(model, locate, find).function(function, ())


def same_entry(a: dict, b: dict) -> bool:
    return all(a.get(k) == b.get(k) for k in IDENTITY)


def without_locations(items: Shape) -> Shape:
    """A shape without its locations, for comparing the operations of two handlers."""
    out = []
    for item in items:
        if "alt" in item:
            out.append({"alt": [without_locations(b) for b in item["alt"]]})
        elif "repeat" in item:
            out.append({"repeat": without_locations(item["repeat"])})
        else:
            out.append({k: v for k, v in item.items() if k != "at"})
    return out


def describe(item: dict) -> str:
    """`run "charge"`, `get_state "count"`, `call Svc/handler`, `a branch`, `a loop`."""
    if "alt" in item:
        return "a branch"
    if "repeat" in item:
        return "a loop"
    detail = item.get("name") or item.get("key") or item.get("target")
    return f'{item["op"]} "{detail}"' if detail else item["op"]


class _Shaper:
    def __init__(self, model: ModuleModel, locate: Locate, find: Find):
        self.model, self.locate, self.find = model, locate, find

    def function(self, function: Function, inlining: tuple) -> Shape:
        """`inlining`: the (module, function index) of the helpers being spliced in, outermost first."""
        sites = [s for s in function.calls if self._journals(s)]
        body = function.node.body
        if not sites or not isinstance(body, cst.BaseSuite):
            return []
        ancestry = {id(s): {id(a) for a in s.ancestors} for s in sites}
        return _Block(self, sites, ancestry, (*inlining, (self.model.name, function.index))).statements(_statements(body))

    def _journals(self, site: CallSite) -> bool:
        if site.op is not None:
            return site.op.method in _KINDS
        return any(not a.star and self.model.is_context_value(a.value, site.function) for a in site.node.args)

    def item(self, site: CallSite, inlining: tuple) -> Shape:
        if site.op is None:
            return self.helper(site, inlining)
        op = site.op
        item = {"op": _KINDS[op.method]}
        call = site.node
        if op.method == "time":
            item["name"] = "timestamp"  # the SDK's ctx.time() is run_typed("timestamp", ..)
        elif op.category in ("run", "signal"):
            item["name"] = self.constant(call, 0, "name", site.function)
        elif op.method in ("get", "set", "clear"):
            item["key"] = self.constant(call, 0, "name", site.function)
            hint = argument(call, 2, "type_hint") if op.method == "get" else None
            if hint is not None:
                item["type"] = self.model.tree.code_for_node(hint.value)
        elif op.category in ("call", "send"):
            item["target"] = self.target(site)
        elif op.category == "promise":
            item["name"] = self.promise_name(op.receiver, site.function)
        item["at"] = self.locate(call)
        return [item]

    def helper(self, site: CallSite, inlining: tuple) -> Shape:
        found = self.model.function_ref(site.node.func, site.function)
        shaper, function = self, found
        elsewhere = self.find(found) if isinstance(found, str) else None
        if elsewhere is not None:  # a helper of another project module
            shaper, function = _Shaper(elsewhere[0], elsewhere[2], self.find), elsewhere[1]
        if isinstance(function, Function) and (shaper.model.name, function.index) not in inlining and len(inlining) < _MAX_HELPER_DEPTH:
            return shaper.function(function, inlining)
        name = found if isinstance(found, str) else self.model.tree.code_for_node(site.node.func)
        return [{"op": "helper", "target": name, "at": self.locate(site.node)}]

    def target(self, site: CallSite) -> Optional[str]:
        call, method = site.node, site.op.method
        if method.startswith("generic"):
            service, handler = (literal_string(a.value) if a else None for a in (argument(call, 0, "service"), argument(call, 1, "handler")))
            return f"{service}/{handler}" if service and handler else None
        ref = argument(call, 0, "tpe")
        if ref is None:
            return None
        found = self.model.function_ref(ref.value, site.function)
        if isinstance(found, Function) and found.handler is not None and found.handler.name:
            return f"{found.handler.service.label}/{found.handler.name}"
        return found if isinstance(found, str) else self.model.tree.code_for_node(ref.value)

    def promise_name(self, receiver: cst.BaseExpression, function: Optional[Function]) -> Optional[str]:
        """The name of `ctx.promise("name")`, called in place or bound to a local name."""
        if isinstance(receiver, cst.Name):
            _, bindings = self.model.bindings_of(receiver, function)
            receiver = bindings[0].node if len(bindings) == 1 and bindings[0].kind == "assign" else receiver
        return self.constant(receiver, 0, "name", function) if isinstance(receiver, cst.Call) else None

    def constant(self, call: cst.Call, position: int, keyword: str, function: Optional[Function]) -> Optional[str]:
        """A string argument: a literal, or a name bound once to one (`ITEMS = "items"`)."""
        arg = argument(call, position, keyword)
        if arg is None:
            return None
        value = arg.value
        if isinstance(value, cst.Name):
            _, bindings = self.model.bindings_of(value, function)
            value = bindings[0].node if len(bindings) == 1 and bindings[0].kind == "assign" and bindings[0].index is None else value
        return literal_string(value)


class _Block:
    """The shape of a function's statements, from the journaling call sites below them."""

    def __init__(self, shaper: _Shaper, sites: list[CallSite], ancestry: dict, inlining: tuple):
        self.shaper, self.sites, self.ancestry, self.inlining = shaper, sites, ancestry, inlining

    def _within(self, node: Optional[cst.CSTNode]) -> list[CallSite]:
        if node is None:
            return []
        return [s for s in self.sites if s.node is node or id(node) in self.ancestry[id(s)]]

    def statements(self, statements) -> Shape:
        shape: Shape = []
        for statement in statements:
            if self._within(statement):
                shape.extend(self.statement(statement))
        return shape

    def expression(self, node: Optional[cst.CSTNode]) -> Shape:
        shape: Shape = []
        for site in self._within(node):
            items = self.shaper.item(site, self.inlining)
            inner = site.ancestors[next((i + 1 for i, a in enumerate(site.ancestors) if a is node), len(site.ancestors)):]
            in_loop = any(isinstance(a, _COMPREHENSIONS) for a in inner)
            shape.extend([{"repeat": items}] if in_loop and items else items)
        return shape

    def alternatives(self, *branches: Shape) -> Shape:
        return [{"alt": list(branches)}] if any(branches) else []

    def statement(self, node: cst.CSTNode) -> Shape:
        if isinstance(node, cst.If):
            orelse = node.orelse
            other = self.statement(orelse) if isinstance(orelse, cst.If) else self.statements(_statements(orelse.body)) if orelse else []
            return self.expression(node.test) + self.alternatives(self.statements(_statements(node.body)), other)
        if isinstance(node, (cst.For, cst.While)):
            head = self.expression(node.iter if isinstance(node, cst.For) else node.test)
            body = self.statements(_statements(node.body))
            tail = self.statements(_statements(node.orelse.body)) if node.orelse else []
            return head + ([{"repeat": body}] if body else []) + tail
        if isinstance(node, (cst.Try, cst.TryStar)):
            body = self.statements(_statements(node.body))
            handlers = [self.statements(_statements(h.body)) for h in node.handlers]
            orelse = self.statements(_statements(node.orelse.body)) if node.orelse else []
            final = self.statements(_statements(node.finalbody.body)) if node.finalbody else []
            return body + self.alternatives(orelse, *handlers) + final
        if isinstance(node, cst.Match):
            return self.expression(node.subject) + self.alternatives(*(self.statements(_statements(c.body)) for c in node.cases))
        if isinstance(node, cst.With):
            return [i for item in node.items for i in self.expression(item)] + self.statements(_statements(node.body))
        if isinstance(node, (cst.FunctionDef, cst.ClassDef)):
            return []  # defined here, run elsewhere (a run action's body journals nothing)
        return self.expression(node)


def _statements(suite: cst.BaseSuite) -> list:
    return list(suite.body) if isinstance(suite, cst.IndentedBlock) else [suite]
