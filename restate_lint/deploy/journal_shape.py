"""The journal shape of a handler: the durable operations it can issue, in order, with branches as
alternatives and loops as repetitions, derived from the module's model.

An item is `{"op": kind, ...what identifies the entry (run name, state key, call target)...,
"at": location}`, `{"alt": [items, items, ...]}` (an `if`, `match`, `try` handlers, one per way
through) or `{"repeat": items}` (a loop or comprehension body: zero or more times). The body of a
project helper that receives the context is spliced in where it is called; one outside the project
(or too deep) is one `{"op": "helper"}` item (what it journals is not followed).
"""

from __future__ import annotations

from typing import Optional, Union

import libcst as cst

from restate_lint.deploy.project import Project
from restate_lint.model.module import CallSite, ModuleModel
from restate_lint.model.scope import Function
from restate_lint.model.services import argument, literal_string

Shape = list  # of items (dicts)

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
# what two items must share to be the same journal entry; `formatted`: the name or key is an
# f-string's constant parts with `{}` for each value (what any value of it shares)
IDENTITY = ("op", "name", "key", "target", "formatted")


def handler_shape(model: ModuleModel, function: Function, project: Project) -> Shape:
    return _Shaper(model, project).function(function, ())


def same_entry(a: dict, b: dict) -> bool:
    return all(a.get(k) == b.get(k) for k in IDENTITY if k != "target") and _same_target(a.get("target"), b.get("target"))


def _same_target(a: Optional[str], b: Optional[str]) -> bool:
    """Call targets: "Svc/handler" when the handler referred to was found, else the code's dotted
    name of it. A found one and a dotted one ending in its handler's name may well be the same
    handler, imported in a way the model did not follow in one version: not a change we can tell."""
    if a == b:
        return True
    named, dotted = (a, b) if a and "/" in a else (b, a)
    return bool(named and dotted and "/" in named and "/" not in dotted and dotted.rpartition(".")[2] == named.rpartition("/")[2])


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
    return f'{item["op"]} {"f" if item.get("formatted") else ""}"{detail}"' if detail else item["op"]


class _Shaper:
    def __init__(self, model: ModuleModel, project: Project):
        self.model, self.project = model, project
        self.locate = project.locators[model.name]

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
            self.named(item, "name", argument(call, 0, "name"), site.function)
        elif op.method in ("get", "set", "clear"):
            self.named(item, "key", argument(call, 0, "name"), site.function)
            hint = argument(call, 2, "type_hint") if op.method == "get" else None
            if hint is not None:
                item["type"] = self.model.tree.code_for_node(hint.value)
        elif op.category in ("call", "send"):
            item["target"] = self.target(site)
        elif op.category == "promise":
            self.promise_name(item, op.receiver, site.function)
        item["at"] = self.locate(call)
        return [item]

    def helper(self, site: CallSite, inlining: tuple) -> Shape:
        if self.context_variable_set(site.node.func, site.function):
            return []  # `var.set(ctx)` keeps the context for code that runs later; it journals nothing
        found = self.reference(site.node.func, site.function)
        shaper, function = self, found
        elsewhere = self.project.function(found) if isinstance(found, str) else None
        if elsewhere is not None:  # a helper of another project module
            shaper, function = _Shaper(elsewhere[0], self.project), elsewhere[1]
        if isinstance(function, Function) and (shaper.model.name, function.index) not in inlining and len(inlining) < _MAX_HELPER_DEPTH:
            return shaper.function(function, inlining)
        name = found if isinstance(found, str) else self.model.tree.code_for_node(site.node.func)
        return [{"op": "helper", "target": name, "at": self.locate(site.node)}]

    def context_variable_set(self, func: cst.BaseExpression, function: Optional[Function]) -> bool:
        """`func` is the `set` of a module-level `contextvars.ContextVar(...)` (also `ContextVar[T](...)`)."""
        if not (isinstance(func, cst.Attribute) and func.attr.value == "set"):
            return False
        qualname = self.model.resolve(func.value, function)
        found = self.project.constant(qualname) if qualname else None
        if found is None or not isinstance(found[1], cst.Call):
            return False
        model, made = found[0], found[1].func
        made = made.value if isinstance(made, cst.Subscript) else made
        return model.resolve(made, None) == "contextvars.ContextVar"

    def target(self, site: CallSite) -> Optional[str]:
        call, method = site.node, site.op.method
        if method.startswith("generic"):
            service, handler = (literal_string(a.value) if a else None for a in (argument(call, 0, "service"), argument(call, 1, "handler")))
            return f"{service}/{handler}" if service and handler else None
        ref = argument(call, 0, "tpe")
        if ref is None:
            return None
        found = self.reference(ref.value, site.function)
        if isinstance(found, Function) and found.handler is not None and found.handler.name:
            return f"{found.handler.service.label}/{found.handler.name}"
        return found if isinstance(found, str) else self.model.tree.code_for_node(ref.value)

    def reference(self, expr: cst.BaseExpression, function: Optional[Function]) -> Union[Function, str, None]:
        """The function an expression names (see `ModuleModel.function_ref`), also one a
        `from module import *` brings in."""
        found = self.model.function_ref(expr, function)
        return self.project.star_name(self.model, expr, function) if found is None else found

    def promise_name(self, item: dict, receiver: cst.BaseExpression, function: Optional[Function]) -> None:
        """The name of `ctx.promise("name")`, called in place or bound to a local name."""
        if isinstance(receiver, cst.Name):
            _, bindings = self.model.bindings_of(receiver, function)
            receiver = bindings[0].node if len(bindings) == 1 and bindings[0].kind == "assign" else receiver
        self.named(item, "name", argument(receiver, 0, "name") if isinstance(receiver, cst.Call) else None, function)

    def named(self, item: dict, field: str, arg: Optional[cst.Arg], function: Optional[Function]) -> None:
        """`item[field]`: a string argument's value: a literal, a name bound once to one
        (`ITEMS = "items"`, also in another project module), or an f-string's constant parts."""
        model, value = self.model, arg.value if arg is not None else None
        if isinstance(value, cst.Name):
            _, bindings = model.bindings_of(value, function)
            if len(bindings) == 1 and bindings[0].kind == "assign" and bindings[0].index is None:
                value = bindings[0].node  # in this module: a local or module-level constant
        if isinstance(value, (cst.Name, cst.Attribute)):  # imported (`CHARGE`, `names.CHARGE`), or through `*`
            qualname = model.resolve(value, function) or self.project.star_name(model, value, function)
            found = self.project.constant(qualname) if qualname else None
            model, value = found if found is not None else (model, value)
        if isinstance(value, cst.FormattedString):
            item[field], item["formatted"] = _format(value), True
        else:
            item[field] = literal_string(value)


def _format(value: cst.FormattedString) -> str:
    """An f-string's constant parts, `{}` for each value: `f"charge {order.id}"` is `charge {}`;
    a conversion or format spec stays (`{!r}` journals another name than `{}`)."""
    return _parts(value.parts)


def _parts(parts) -> str:
    out = []
    for part in parts:
        if isinstance(part, cst.FormattedStringText):
            out.append(part.value)
        else:
            conversion = f"!{part.conversion}" if part.conversion else ""
            spec = f":{_parts(part.format_spec)}" if part.format_spec else ""
            out.append(f"{{{conversion}{spec}}}")
    return "".join(out)


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
