"""The Restate model of one module, built in a single traversal of its libcst tree.

Collection records raw facts (functions, bindings, calls, awaits, a few
statement kinds, each with its enclosing function and ancestors). A model is
built from its module alone (to summarise it), then, to be checked, is given
the project's facts about it: which parameters receive a context, which
functions run as actions, the services it imports and the project functions it
calls. It never reads another module's model.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Callable, Iterator, Optional, Union

import libcst as cst

from restate_lint.model import sdk
from restate_lint.model.agents import journaled_by_wrapper
from restate_lint.model.facts import ALWAYS, Condition, ForeignFunction, ModuleFacts
from restate_lint.model.scope import Binding, Function, lookup, qualified_name
from restate_lint.model.services import ServiceDef, argument, handler_from_decorator, literal_string, service_from_call
from restate_lint.model.walk import Walker
from restate_lint.positions import is_statement
from restate_lint.source import SourceFile


@dataclass(eq=False)
class Site:
    """A node with where it stands: its enclosing function and its ancestors (outermost first)."""

    node: cst.CSTNode
    function: Optional[Function]
    ancestors: tuple

    @property
    def parent(self) -> Optional[cst.CSTNode]:
        return self.ancestors[-1] if self.ancestors else None

    @property
    def statement(self) -> Optional[cst.CSTNode]:
        for node in reversed(self.ancestors):
            if isinstance(node, (cst.BaseSmallStatement, cst.BaseCompoundStatement)):
                return node
        return None

    @property
    def in_durable_code(self) -> bool:
        return self.function is not None and self.function.is_durable

    @property
    def in_action(self) -> bool:
        return self.function is not None and self.function.in_action


@dataclass(eq=False)
class DurableOp:
    method: str
    spec: sdk.OpSpec
    receiver: cst.BaseExpression

    @property
    def category(self) -> str:
        return self.spec.category


@dataclass(eq=False)
class CallSite(Site):
    node: cst.Call
    op: Optional[DurableOp] = field(default=None, init=False)

    @property
    def awaited(self) -> bool:
        return isinstance(self.parent, cst.Await)


_UNRESOLVED = object()

# Annotations whose subscript is still the annotated value: `Optional[Context]` is a context,
# `RunContextWrapper[Context]` (a wrapper holding one) is not.
_UNWRAPPED = frozenset({
    "typing.Optional", "typing.Union", "typing.Annotated", "typing_extensions.Annotated", "typing_extensions.Optional",
})  # fmt: skip

# Statement and expression kinds rules look for, indexed during the one traversal.
INDEXED = (
    cst.Try, cst.TryStar, cst.ExceptHandler, cst.ExceptStarHandler, cst.With, cst.For, cst.While,
    cst.If, cst.IfExp, cst.Match, cst.CompFor, cst.Return, cst.Assign, cst.AnnAssign, cst.AugAssign,
    cst.Subscript, cst.Raise, cst.Assert, cst.Await, cst.Global,
)  # fmt: skip


class ModuleModel:
    def __init__(self, name: str, source: SourceFile, tree: cst.Module, resolve_module: Callable[[str], str] = str, is_package: bool = False):
        """`resolve_module` maps an imported dotted name to the project module it means (the
        identity when it names none)."""
        self.name = name
        self.source = source
        self.tree = tree
        self.resolve_module = resolve_module
        self.facts: Optional[ModuleFacts] = None
        self.analyses: dict = {}  # analyses memoised on this model (flows, effects), keyed by their owners
        self.package = name if is_package else name.rpartition(".")[0]
        self.bindings: dict[str, list[Binding]] = {}
        self.functions: list[Function] = []
        self.function_by_node: dict[cst.CSTNode, Function] = {}
        self.calls: list[CallSite] = []
        self.call_sites: dict[cst.Call, CallSite] = {}
        self._sites_by_function: dict[type, dict] = {}
        self.sites: dict[type, list[Site]] = {t: [] for t in INDEXED}
        self.services: dict[cst.Call, ServiceDef] = {}
        self._imported_services: dict[str, ServiceDef] = {}
        self._resolved: dict[tuple, Optional[str]] = {}
        _Collector(self).collect()

    @property
    def path(self) -> str:
        return self.source.path

    def release(self) -> None:
        """Forget everything, once checked: its functions and sites point back at the model, so
        without this its whole tree waits for a full garbage collection to be freed."""
        self.__dict__.clear()

    # -- names ---------------------------------------------------------------
    def resolve(self, expr: cst.BaseExpression, function: Optional[Function]) -> Optional[str]:
        """Qualified name of an expression in `function`'s scope (None at module level).
        Bindings are fixed once collected, so each answer is kept: rules ask again and again."""
        key = (expr, function.index if function is not None else -1)  # the node itself: an id could be reused
        found = self._resolved.get(key, _UNRESOLVED)
        if found is _UNRESOLVED:
            found = self._resolved[key] = qualified_name(expr, function, self)
        return found

    def callee_name(self, site: CallSite) -> Optional[str]:
        return self.resolve(site.node.func, site.function)

    def scope_of(self, name: str, function: Optional[Function]) -> Optional[Function]:
        """The function whose variable `name` is, seen from `function` (None: module level)."""
        return lookup(name, function, self)[0]

    def bindings_of(self, expr: cst.BaseExpression, function: Optional[Function]) -> tuple[Optional[Function], list[Binding]]:
        if isinstance(expr, cst.Name):
            return lookup(expr.value, function, self)
        return None, []

    # -- contexts ------------------------------------------------------------
    def context_condition(self, expr: Optional[cst.CSTNode], function: Optional[Function], _depth: int = 0) -> Condition:
        """When `expr` evaluates to a Restate context: ALWAYS (`current_context()`, an alias of
        it), or when one of the (function index, parameter) pairs it derives from holds one."""
        if _depth > 6 or expr is None:
            return frozenset()
        if isinstance(expr, cst.Call):
            return frozenset({ALWAYS}) if self.resolve(expr.func, function) in sdk.CONTEXT_GETTERS else frozenset()
        scope, bindings = self.bindings_of(expr, function)
        found: set = set()
        for b in bindings:
            if b.kind == "param" and scope is not None:
                found.add((scope.index, b.node.name.value))
            elif b.kind == "assign" and b.index is None:
                found |= self.context_condition(b.node, scope, _depth + 1)
        return frozenset(found)

    def holds(self, condition: Condition) -> bool:
        return any(c == ALWAYS or c[1] in self.functions[c[0]].context_params for c in condition)

    def is_context_value(self, expr: Optional[cst.CSTNode], function: Optional[Function]) -> bool:
        """Does `expr` evaluate to a Restate context (a parameter, `current_context()`, an alias)?"""
        return self.holds(self.context_condition(expr, function))

    def context_in_scope(self, function: Optional[Function]) -> Optional[str]:
        """A name that holds the Restate context where `function`'s code runs (for fixes that need one)."""
        f = function
        while f is not None:
            candidates = sorted(f.context_params) + sorted(n for n, bs in f.bindings.items() if any(b.kind == "assign" for b in bs))
            for name in candidates:
                if self.is_context_value(cst.Name(name), function):
                    return name
            f = f.parent
        return None

    def _is_op_value(self, expr: cst.BaseExpression, function: Optional[Function], method: str, _depth: int = 0) -> bool:
        """`expr` is the result of `ctx.<method>(..)`, directly or through a local name."""
        if _depth > 6:
            return False  # `p = p.value()`-style rebinding chains
        if isinstance(expr, cst.Call):
            op = self.op_of(expr, function, _depth + 1)
            return op is not None and op.method == method
        scope, bindings = self.bindings_of(expr, function)
        return any(
            b.kind == "assign" and b.index is None and isinstance(b.node, cst.Call) and self._is_op_value(b.node, scope, method, _depth + 1)
            for b in bindings
        )

    def key_condition(self, expr: cst.BaseExpression, function: Optional[Function], _depth: int = 0) -> Condition:
        """When `expr` is this invocation's key: `ctx.key()`, directly or through a local name."""
        if _depth > 6:
            return frozenset()
        if isinstance(expr, cst.Call):
            func = expr.func
            return self.context_condition(func.value, function) if isinstance(func, cst.Attribute) and func.attr.value == "key" else frozenset()
        scope, bindings = self.bindings_of(expr, function)
        found: set = set()
        for b in bindings:
            if b.kind == "assign" and b.index is None and isinstance(b.node, cst.Call):
                found |= self.key_condition(b.node, scope, _depth + 1)
        return frozenset(found)

    def op_of(self, call: cst.Call, function: Optional[Function], _depth: int = 0) -> Optional[DurableOp]:
        """The durable operation a call performs, if any."""
        func = call.func
        if not isinstance(func, cst.Attribute):
            return None
        method, receiver = func.attr.value, func.value
        if method in sdk.CONTEXT_OPS and self.is_context_value(receiver, function):
            return DurableOp(method, sdk.CONTEXT_OPS[method], receiver)
        if method in sdk.PROMISE_OPS and self._is_op_value(receiver, function, "promise", _depth):
            return DurableOp(method, sdk.PROMISE_OPS[method], receiver)
        if method in sdk.SCOPED_OPS and self._is_op_value(receiver, function, "scope", _depth):
            return DurableOp(method, sdk.SCOPED_OPS[method], receiver)
        return None

    def future_op(self, expr: cst.BaseExpression, function: Optional[Function]) -> Optional[DurableOp]:
        """The durable operation whose future `expr` holds: a direct call, or a name bound to one
        (`x = ctx.get(..)`, `name, fut = ctx.awakeable()`, `p = ctx.promise(..)`)."""
        if isinstance(expr, cst.Call):
            return self.op_of(expr, function)
        scope, bindings = self.bindings_of(expr, function)
        for b in bindings:
            if b.kind != "assign" or not isinstance(b.node, cst.Call):
                continue
            op = self.op_of(b.node, scope)
            if op is None:
                continue
            if b.index is None or (op.method == "awakeable" and b.index == 1):
                return op
        return None

    def awaited_ops(self, expr: cst.BaseExpression, function: Optional[Function]) -> list[DurableOp]:
        """The durable operations `await expr` waits for: the future `expr` holds, or every future
        handed to a Restate combinator (`restate.select(done=fut, timeout=ctx.sleep(..))`)."""
        if isinstance(expr, cst.Call) and self.resolve(expr.func, function) in sdk.COMBINATORS:
            ops = (self.future_op(arg.value, function) for arg in expr.args if not arg.star)
            return [op for op in ops if op is not None]
        op = self.future_op(expr, function)
        return [op] if op is not None else []

    def sites_in(self, function: Optional[Function], kind: type) -> list[Site]:
        """The indexed `kind` sites whose innermost function is `function`."""
        index = self._sites_by_function.get(kind)
        if index is None:
            index = self._sites_by_function[kind] = {}
            for site in self.sites[kind]:
                index.setdefault(site.function, []).append(site)
        return index.get(function, [])

    def statement_of(self, node: cst.CSTNode) -> Optional[cst.CSTNode]:
        """The innermost statement holding a site's node (or a function's name or decorator), for
        positioning it; None for nodes the model does not index."""
        index = self.analyses.get("_statements")
        if index is None:  # what holds each node; a site's statement is found when asked
            index = self.analyses["_statements"] = {}
            for site in [*self.calls, *(s for sites in self.sites.values() for s in sites)]:
                index.setdefault(id(site.node), site)
            for function in self.functions:
                if isinstance(function.node, cst.FunctionDef):
                    for part in (function.node.name, *function.node.decorators):
                        index[id(part)] = function.node
        found = index.get(id(node))
        if isinstance(found, Site):
            chain = (*found.ancestors, found.node)
            found = index[id(node)] = next((chain[at] for at in range(len(chain) - 1, -1, -1) if is_statement(chain[at], chain[at - 1] if at else None)), None)
        return found

    def durable_ops(self) -> Iterator[CallSite]:
        return (site for site in self.calls if site.op is not None)

    # -- services and handlers ------------------------------------------------
    def service_of(self, expr: cst.BaseExpression, function: Optional[Function], _depth: int = 0) -> Optional[ServiceDef]:
        """The service object an expression refers to (`greeter`, `svc.greeter`, an imported one,
        an entry of a dict literal: `HANDLERS["routing"]`, as PEP 614 decorators allow)."""
        if isinstance(expr, cst.Subscript):
            entry = self._dict_entry(expr, function)
            return self.service_of(entry[0], entry[1], _depth + 1) if entry is not None and _depth < 4 else None
        scope, bindings = self.bindings_of(expr, function)
        if len(bindings) == 1 and bindings[0].kind == "assign" and isinstance(bindings[0].node, cst.Call):
            return self.service_defined_by(bindings[0].node, scope, expr.value)
        qualname = self.resolve(expr, function)
        if qualname is None or self.facts is None:
            return None
        if qualname not in self._imported_services:
            found = self.facts.service(qualname)
            self._imported_services[qualname] = ServiceDef(found.kind, found.name, None, None, found.var) if found else None
        return self._imported_services[qualname]

    def _dict_entry(self, expr: cst.Subscript, function: Optional[Function]) -> Optional[tuple[cst.BaseExpression, Optional[Function]]]:
        """`NAME["key"]` where NAME is bound once to a dict literal with that string key: the value."""
        key = literal_string(expr.slice[0].slice.value) if len(expr.slice) == 1 and isinstance(expr.slice[0].slice, cst.Index) else None
        scope, bindings = self.bindings_of(expr.value, function)
        if key is None or len(bindings) != 1 or bindings[0].kind != "assign" or not isinstance(bindings[0].node, cst.Dict):
            return None
        values = [e.value for e in bindings[0].node.elements if isinstance(e, cst.DictElement) and literal_string(e.key) == key]
        return (values[-1], scope) if values else None

    def service_defined_by(self, call: cst.Call, function: Optional[Function], var: str) -> Optional[ServiceDef]:
        if call in self.services:
            return self.services[call]
        kind = sdk.SERVICE_CLASSES.get(self.resolve(call.func, function) or "")
        if kind is None:
            return None
        service = self.services[call] = service_from_call(call, kind, self, var)
        return service

    def bind(self, facts: Optional[ModuleFacts] = None) -> None:
        """Bind services, handlers, contexts and durable operations: from the module alone (to
        summarise it), or with the project's facts (to check it)."""
        self.facts = facts
        self.services, self._imported_services, self.analyses = {}, {}, {}
        for function in self.functions:
            function.handler, function.context_params, function.is_action = None, set(), False
        for site in self.sites[cst.Assign]:
            target = site.node.targets[0].target
            if isinstance(site.node.value, cst.Call) and isinstance(target, cst.Name):
                self.service_defined_by(site.node.value, site.function, target.value)
        for function in self.functions:
            for decorator, method, service_expr in handler_decorators(function):
                service = self.service_of(service_expr, function.parent)
                if service is None or (method == "main" and service.kind != "workflow"):
                    continue
                function.handler = handler_from_decorator(function, decorator, service, method)
                if function.params:
                    function.context_params.add(function.params[0].name.value)
                break
        for function in self.functions:
            function.context_params |= self.annotated_contexts(function)
        if facts is not None:
            for index, params in facts.context_params:
                self.functions[index].context_params |= set(params)
            for index in facts.actions:
                self.functions[index].is_action = True
        for function in journaled_by_wrapper(self):
            function.is_action = True  # pydantic-ai's auto_wrap_tools runs them inside `ctx.run_typed`
        for site in self.calls:
            site.op = self.op_of(site.node, site.function)

    def annotated_contexts(self, function: Function) -> set[str]:
        return {p.name.value for p in function.params if p.annotation is not None and self.annotation_context_type(p.annotation.annotation, function.parent)}

    def annotation_context_type(self, expr: cst.BaseExpression, function: Optional[Function]) -> Optional[str]:
        """The Restate context type an annotation names (`ObjectContext`, `Optional[rs.Context]`, `"Context"`)."""
        if isinstance(expr, (cst.SimpleString, cst.ConcatenatedString)):
            text = literal_string(expr)
            if text is not None:
                try:
                    expr = cst.parse_expression(text)
                except cst.ParserSyntaxError:
                    return None
        if isinstance(expr, (cst.Name, cst.Attribute)):
            name = self.resolve(expr, function)
            return name if name in sdk.CONTEXT_TYPES else None
        if isinstance(expr, cst.Subscript) and self.resolve(expr.value, function) in _UNWRAPPED:
            for element in expr.slice:
                if isinstance(element.slice, cst.Index):
                    found = self.annotation_context_type(element.slice.value, function)
                    if found:
                        return found
        if isinstance(expr, cst.BinaryOperation) and isinstance(expr.operator, cst.BitOr):
            return self.annotation_context_type(expr.left, function) or self.annotation_context_type(expr.right, function)
        return None

    def function_ref(self, expr: cst.BaseExpression, function: Optional[Function]) -> Union[Function, str, None]:
        """The function an expression refers to: a lambda, a def of this module, a partial of one,
        or the qualified name of a function elsewhere (None: not a function we can name)."""
        if isinstance(expr, cst.Lambda):
            return self.function_by_node.get(expr)
        if isinstance(expr, cst.Call) and self.resolve(expr.func, function) == "functools.partial" and expr.args:
            return self.function_ref(expr.args[0].value, function)
        if isinstance(expr, (cst.Name, cst.Attribute)):
            scope, bindings = self.bindings_of(expr, function)
            if len(bindings) == 1 and bindings[0].kind == "def":
                return self.function_by_node.get(bindings[0].node)
            qualname = self.resolve(expr, function)
            if qualname is not None and qualname.startswith(f"{self.name}."):
                local = self.function_named(qualname[len(self.name) + 1 :])
                if local is not None:
                    return local
            return qualname
        return None

    def action_function(self, expr: cst.BaseExpression, function: Optional[Function]) -> Union[Function, ForeignFunction, None]:
        """The function a run action or a call refers to: one of this module, or what the
        project's facts say of one elsewhere."""
        found = self.function_ref(expr, function)
        if isinstance(found, str):
            return self.facts.function(found) if self.facts is not None else None
        return found

    def loads(self, root: cst.CSTNode) -> Iterator[tuple[cst.Name, Optional[Function], tuple]]:
        """Every name read below `root`: (name, innermost function, its ancestors up to `root`)."""
        walker = _Loads(self)
        walker.walk(root)
        return iter(walker.found)

    def uses_of(self, name: str, scope: Optional[Function]) -> Iterator[tuple[cst.Name, tuple]]:
        """Reads of the variable `name` bound in `scope` (its function, nested functions included),
        each with its ancestors (innermost last)."""
        root = scope.node if scope is not None else self.tree
        for node, function, ancestors in self.loads(root):
            if node.value == name and lookup(name, function, self)[0] is scope:
                yield node, ancestors

    def function_named(self, qualname: str) -> Optional[Function]:
        if "_by_qualname" not in self.analyses:
            by_qualname: dict[str, Function] = {}
            for function in self.functions:
                by_qualname.setdefault(function.qualname, function)
            self.analyses["_by_qualname"] = by_qualname
        return self.analyses["_by_qualname"].get(qualname)

    @property
    def handlers(self) -> list:
        return [f.handler for f in self.functions if f.handler is not None]


class _Loads(Walker):
    """Names in load position (not attribute names, keywords, parameters or definitions)."""

    def __init__(self, model: ModuleModel):
        self.model = model
        self.functions: list[Optional[Function]] = []
        self.parents: list[cst.CSTNode] = []
        self.found: list[tuple[cst.Name, Optional[Function], tuple]] = []

    def enter(self, node: cst.CSTNode) -> bool:
        if isinstance(node, cst.Name):
            if self.parents:
                self.found.append((node, self.functions[-1] if self.functions else None, tuple(self.parents)))
            return False
        function = self.model.function_by_node.get(node)
        if function is not None:
            self.functions.append(function)
        self.parents.append(node)
        if isinstance(node, (cst.Attribute, cst.Arg)):
            self.walk(node.value)
            return False
        if isinstance(node, (cst.Param, cst.ImportFrom, cst.Import, cst.AsName)):
            return False
        for part in _load_parts(node):
            self.walk(part)
        return not isinstance(node, _BINDERS)

    def exit(self, node: cst.CSTNode) -> None:
        if isinstance(node, cst.Name):
            return
        self.parents.pop()
        if self.model.function_by_node.get(node) is not None:
            self.functions.pop()


_BINDERS = (cst.FunctionDef, cst.ClassDef, cst.AssignTarget, cst.For, cst.CompFor, cst.NamedExpr)


def _load_parts(node: cst.CSTNode) -> tuple:
    """The parts of a binding construct that are read, not bound."""
    if isinstance(node, (cst.FunctionDef, cst.ClassDef)):
        return (node.body,)
    if isinstance(node, cst.AssignTarget):
        return () if isinstance(node.target, (cst.Name, cst.Tuple, cst.List, cst.StarredElement)) else (node.target,)
    if isinstance(node, cst.For):
        return tuple(p for p in (node.iter, node.body, node.orelse) if p is not None)
    if isinstance(node, cst.CompFor):
        return tuple(p for p in (node.iter, *node.ifs, node.inner_for_in) if p is not None)
    if isinstance(node, cst.NamedExpr):
        return (node.value,)
    return ()


def handler_decorators(function: Function) -> Iterator[tuple[cst.Decorator, str, cst.BaseExpression]]:
    """`@svc.handler(..)` / `@svc.main(..)` decorators: (decorator, method, the service expression)."""
    if not isinstance(function.node, cst.FunctionDef):
        return
    for decorator in function.node.decorators:
        expr = decorator.decorator
        target = expr.func if isinstance(expr, cst.Call) else expr
        if isinstance(target, cst.Attribute) and target.attr.value in ("handler", "main"):
            yield decorator, target.attr.value, target.value


def run_action(call: cst.Call) -> Optional[cst.BaseExpression]:
    arg = argument(call, 1, "action")
    return arg.value if arg else None


class _Collector(Walker):
    """One pass: bindings per scope, functions, calls and indexed nodes with their ancestors."""

    def __init__(self, model: ModuleModel):
        self.model = model
        self.stack: list[cst.CSTNode] = []
        self.scopes: list[Union[Function, str, None]] = [None]  # None = module, "class" = class body
        self.names: list[str] = []

    def collect(self) -> None:
        self.walk(self.model.tree)

    def resolve_module(self, dotted: str) -> str:
        return self.model.resolve_module(dotted)

    # -- traversal bookkeeping ----------------------------------------------------
    def enter(self, node: cst.CSTNode) -> bool:
        self.stack.append(node)
        return True

    def exit(self, node: cst.CSTNode) -> None:
        self.stack.pop()

    @property
    def function(self) -> Optional[Function]:
        for scope in reversed(self.scopes):
            if isinstance(scope, Function):
                return scope
        return None

    def bind(self, name: str, binding: Binding) -> None:
        scope = self.scopes[-1]
        if scope is None:
            self.model.bindings.setdefault(name, []).append(binding)
        elif isinstance(scope, Function):
            scope.bind(name, binding)

    def site(self, node: cst.CSTNode) -> Site:
        return Site(node, self.function, tuple(self.stack[:-1]))

    def _visit_in_function(self, node, body_parts, pre_parts) -> None:
        for part in pre_parts:
            self.walk(part)
        parent = self.function
        qualname = ".".join(self.names + [node.name.value if isinstance(node, cst.FunctionDef) else "<lambda>"])
        function = Function(node, parent, self.model, qualname, len(self.model.functions))
        params = node.params
        for p in (*params.posonly_params, *params.params, params.star_arg, *params.kwonly_params, params.star_kwarg):
            if isinstance(p, cst.Param):
                function.params.append(p)
                function.bind(p.name.value, Binding("param", p))
        if parent is not None:
            parent.children.append(function)
        self.model.functions.append(function)
        self.model.function_by_node[node] = function
        self.scopes.append(function)
        self.names.append(function.name)
        for part in body_parts:
            self.walk(part)
        self.names.pop()
        self.scopes.pop()

    # -- scopes --------------------------------------------------------------------
    def visit_FunctionDef(self, node: cst.FunctionDef) -> bool:
        self.bind(node.name.value, Binding("def", node))
        pre = [*node.decorators, *_param_expressions(node.params)]
        if node.returns is not None:
            pre.append(node.returns)
        self._visit_in_function(node, [node.body], pre)
        return False

    def visit_Lambda(self, node: cst.Lambda) -> bool:
        self._visit_in_function(node, [node.body], _param_expressions(node.params))
        return False

    def visit_ClassDef(self, node: cst.ClassDef) -> bool:
        self.bind(node.name.value, Binding("class", node))
        for part in (*node.decorators, *node.bases, *node.keywords):
            self.walk(part)
        self.scopes.append("class")
        self.names.append(node.name.value)
        self.walk(node.body)
        self.names.pop()
        self.scopes.pop()
        return False

    def visit_Global(self, node: cst.Global) -> None:
        if isinstance(self.scopes[-1], Function):
            self.scopes[-1].global_names.update(n.name.value for n in node.names)
        self._index(node)

    def visit_Nonlocal(self, node: cst.Nonlocal) -> None:
        if isinstance(self.scopes[-1], Function):
            self.scopes[-1].nonlocal_names.update(n.name.value for n in node.names)

    # -- bindings --------------------------------------------------------------------
    def visit_Import(self, node: cst.Import) -> None:
        for alias in node.names:
            dotted = self.resolve_module(_dotted(alias.name))
            if alias.asname is not None and isinstance(alias.asname.name, cst.Name):
                self.bind(alias.asname.name.value, Binding("import", qualname=dotted))
            else:
                top = _dotted(alias.name).split(".")[0]
                self.bind(top, Binding("import", qualname=self.resolve_module(top)))

    def visit_ImportFrom(self, node: cst.ImportFrom) -> None:
        if isinstance(node.names, cst.ImportStar):
            return
        module = _dotted(node.module) if node.module is not None else ""
        if node.relative:
            base = self.model.package.split(".") if self.model.package else []
            up = len(node.relative) - 1
            base = base[: len(base) - up] if up else base
            module = ".".join([*base, module] if module else base)
        else:
            module = self.resolve_module(module)
        for alias in node.names:
            name = _dotted(alias.name)
            local = alias.asname.name.value if alias.asname is not None and isinstance(alias.asname.name, cst.Name) else name
            self.bind(local, Binding("import", qualname=f"{module}.{name}" if module else name))

    def visit_Assign(self, node: cst.Assign) -> None:
        for target in node.targets:
            self._bind_target(target.target, node.value)
        self.model.sites[cst.Assign].append(self.site(node))

    def visit_AnnAssign(self, node: cst.AnnAssign) -> None:
        if node.value is not None:
            self._bind_target(node.target, node.value)
        self.model.sites[cst.AnnAssign].append(self.site(node))

    def visit_NamedExpr(self, node: cst.NamedExpr) -> None:
        self._bind_target(node.target, node.value)

    def visit_AugAssign(self, node: cst.AugAssign) -> None:
        if isinstance(node.target, cst.Name):
            self.bind(node.target.value, Binding("other", node, value=node.value))
        self.model.sites[cst.AugAssign].append(self.site(node))

    def visit_For(self, node: cst.For) -> None:
        self._bind_names(node.target, node.iter)
        self.model.sites[cst.For].append(self.site(node))

    def visit_WithItem(self, node: cst.WithItem) -> None:
        if node.asname is not None:
            self._bind_names(node.asname.name, node.item)

    def visit_ExceptHandler(self, node: cst.ExceptHandler) -> None:
        if node.name is not None:
            self._bind_names(node.name.name)
        self.model.sites[cst.ExceptHandler].append(self.site(node))

    def visit_MatchAs(self, node: cst.MatchAs) -> None:
        if node.name is not None:
            self.bind(node.name.value, Binding("other", node))

    def _bind_target(self, target: cst.BaseExpression, value: cst.BaseExpression) -> None:
        if isinstance(target, cst.Name):
            self.bind(target.value, Binding("assign", value))
        elif isinstance(target, (cst.Tuple, cst.List)):
            for index, element in enumerate(target.elements):
                if isinstance(element, cst.StarredElement):
                    self._bind_names(element.value)
                elif isinstance(element.value, cst.Name):
                    self.bind(element.value.value, Binding("assign", value, index=index))
                else:
                    self._bind_names(element.value)

    def _bind_names(self, target: cst.CSTNode, value: Optional[cst.BaseExpression] = None) -> None:
        if isinstance(target, cst.Name):
            self.bind(target.value, Binding("other", target, value=value))
        elif isinstance(target, (cst.Tuple, cst.List)):
            for element in target.elements:
                self._bind_names(element.value, value)
        elif isinstance(target, cst.StarredElement):
            self._bind_names(target.value, value)

    # -- calls and indexed nodes ------------------------------------------------------
    def visit_Call(self, node: cst.Call) -> None:
        site = CallSite(node, self.function, tuple(self.stack[:-1]))
        self.model.calls.append(site)
        self.model.call_sites[node] = site
        if site.function is not None:
            site.function.calls.append(site)

    def visit_Await(self, node: cst.Await) -> None:
        site = self.site(node)
        self.model.sites[cst.Await].append(site)
        if site.function is not None:
            site.function.awaits.append(site)

    def _index(self, node: cst.CSTNode) -> None:
        self.model.sites[type(node)].append(self.site(node))

    visit_Try = visit_TryStar = visit_ExceptStarHandler = visit_With = visit_While = _index
    visit_If = visit_IfExp = visit_Match = visit_CompFor = visit_Return = _index
    visit_Subscript = visit_Raise = visit_Assert = _index


def _param_expressions(params: cst.Parameters) -> list[cst.CSTNode]:
    """Annotations and defaults: evaluated in the enclosing scope."""
    parts: list[cst.CSTNode] = []
    for p in (*params.posonly_params, *params.params, params.star_arg, *params.kwonly_params, params.star_kwarg):
        if isinstance(p, cst.Param):
            if p.annotation is not None:
                parts.append(p.annotation)
            if p.default is not None:
                parts.append(p.default)
    return parts


def _dotted(node: Union[cst.Name, cst.Attribute, cst.BaseExpression]) -> str:
    if isinstance(node, cst.Name):
        return node.value
    if isinstance(node, cst.Attribute):
        return f"{_dotted(node.value)}.{node.attr.value}"
    return ""
