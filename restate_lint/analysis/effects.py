"""Which catalogued APIs a call or a read reaches: the shared base of RST101/102/103/106/107.

Besides calls matched by qualified name, two kinds of receivers do I/O through
their methods: `pathlib` paths (`target = Path(..) / name; target.write_text(..)`)
and clients built by a catalogued factory outside durable code (`s3 =
boto3.client("s3")` at module level, then `s3.put_object(..)` in a handler), or built anywhere
for lazy clients, whose construction opens no connection (`llm = AsyncOpenAI()` or `async with
httpx.AsyncClient() as http:` in a handler, then `await llm.chat.completions.create(..)` or
`http.get(..)`: the request is the I/O, not the client).
"""

from __future__ import annotations

from typing import Iterator, Optional

import libcst as cst

from restate_lint.catalogue import EVENT_LOOPS, IO, LOOP_CLOCK, NONDETERMINISTIC, PATH_CLASSES, PATH_DERIVING, PATH_IO, Api, Catalogue, catalogue_for, weight
from restate_lint.model.module import ModuleModel, Site
from restate_lint.model.scope import Function

_MAX_DEPTH = 6


class Effects:
    """Effects of calls and reads in the project's code, under one catalogue."""

    def __init__(self, catalogue: Catalogue):
        self.catalogue = catalogue

    @staticmethod
    def of(model: ModuleModel, settings) -> "Effects":
        catalogue = catalogue_for(settings)
        key = ("effects", catalogue)
        if key not in model.analyses:
            model.analyses[key] = Effects(catalogue)
        return model.analyses[key]

    # -- calls and reads -----------------------------------------------------------------
    def call(self, model: ModuleModel, call: cst.Call, function: Optional[Function]) -> Optional[Api]:
        """The catalogued API this call reaches, if any."""
        api = self.catalogue.call(model.resolve(call.func, function), call)
        if api is not None or not isinstance(call.func, cst.Attribute):
            return api
        method, receiver = call.func.attr.value, call.func.value
        if method in PATH_IO and self.is_path(model, receiver, function):
            return None if self.catalogue.is_allowed(f"pathlib.Path.{method}") else Api(f"pathlib.Path.{method}", IO)
        factory = self.client_factory(model, receiver, function)
        if factory is not None and self.catalogue.sends_request(factory, method):
            return Api(f"{factory}(..).{method}", IO)
        if method == "time" and not call.args and self.is_event_loop(model, receiver, function) and not self.catalogue.is_allowed(LOOP_CLOCK):
            return Api(LOOP_CLOCK, NONDETERMINISTIC)
        return None

    def read(self, model: ModuleModel, expr: cst.BaseExpression, function: Optional[Function]) -> Optional[Api]:
        """The catalogued value (`os.environ`) an expression reads, if any."""
        if isinstance(expr, (cst.Name, cst.Attribute)):
            return self.catalogue.value(model.resolve(expr, function))
        return None

    def in_sites(self, model: ModuleModel, sites: Iterator[Site]) -> Iterator[tuple[Site, Api]]:
        """Effects at call sites and at subscripts of catalogued values (`os.environ["X"]`)."""
        for site in sites:
            node = site.node
            api = self.call(model, node, site.function) if isinstance(node, cst.Call) else self.read(model, node.value, site.function)
            if api is not None:
                yield site, api

    def heaviest(self, model: ModuleModel, sites: list[Site]) -> Optional[tuple[Site, Api]]:
        """The effect at a function's sites (`function_sites`) that matters most
        (`catalogue.weight`), the first of the heaviest: what a chain through it names."""
        return max(self.in_sites(model, iter(sites)), key=lambda found: weight(found[1].name, found[1].kind), default=None)

    # -- receivers -----------------------------------------------------------------------
    def is_path(self, model: ModuleModel, expr: cst.BaseExpression, function: Optional[Function], depth: int = 0) -> bool:
        """Does `expr` evaluate to a `pathlib.Path`?"""
        if depth > _MAX_DEPTH:
            return False
        if isinstance(expr, cst.Call):
            if model.resolve(expr.func, function) in PATH_CLASSES:
                return True
            func = expr.func
            return isinstance(func, cst.Attribute) and func.attr.value in PATH_DERIVING and self.is_path(model, func.value, function, depth + 1)
        if isinstance(expr, cst.BinaryOperation) and isinstance(expr.operator, cst.Divide):
            return self.is_path(model, expr.left, function, depth + 1)
        if isinstance(expr, cst.Attribute) and expr.attr.value == "parent":
            return self.is_path(model, expr.value, function, depth + 1)
        if isinstance(expr, cst.Name):
            scope, bindings = model.bindings_of(expr, function)
            if len(bindings) != 1:
                return False
            b = bindings[0]
            if b.kind == "assign" and b.index is None:
                return self.is_path(model, b.node, scope, depth + 1)
            if b.kind == "param" and b.node.annotation is not None:
                return model.resolve(b.node.annotation.annotation, scope.parent if scope else None) in PATH_CLASSES
        return False

    @staticmethod
    def is_event_loop(model: ModuleModel, expr: cst.BaseExpression, function: Optional[Function]) -> bool:
        """`asyncio.get_running_loop()`, or a name bound once to it (`loop = asyncio.get_event_loop()`)."""
        if isinstance(expr, cst.Name):
            scope, bindings = model.bindings_of(expr, function)
            if len(bindings) != 1 or bindings[0].kind != "assign" or bindings[0].index is not None:
                return False
            expr, function = bindings[0].node, scope
        return isinstance(expr, cst.Call) and model.resolve(expr.func, function) in EVENT_LOOPS

    def client_factory(self, model: ModuleModel, expr: cst.BaseExpression, function: Optional[Function], depth: int = 0) -> Optional[str]:
        """The catalogued factory of the client `expr` holds, when that client was built outside
        durable code (a client built in durable code is reported where it is built), or is lazy
        (catalogue.LAZY_CLIENTS: its construction is no I/O, so its requests are reported wherever it was
        built; in durable code only a client bound from its constructor, or a copy of one, is
        followed, so that the response of a reported request is not reported again)."""
        if depth > _MAX_DEPTH:
            return None
        if isinstance(expr, (cst.Attribute, cst.Subscript)):
            return self.client_factory(model, expr.value, function, depth + 1)
        if isinstance(expr, cst.Call):
            qualname = model.resolve(expr.func, function)
            if (depth > 0 or self.catalogue.is_lazy_client(qualname)) and self.catalogue.is_client_factory(qualname):
                return qualname
            return self.client_factory(model, expr.func.value, function, depth + 1) if isinstance(expr.func, cst.Attribute) else None
        if isinstance(expr, cst.Name):
            scope, bindings = model.bindings_of(expr, function)
            if len(bindings) != 1:
                return None
            b = bindings[0]
            if scope is not None and scope.is_durable:
                built = b.node if b.kind == "assign" and b.index is None else b.value if b.kind == "other" else None
                return self._lazy_client_built(model, built, scope, depth)
            if b.kind == "assign" and b.index is None:
                return self.client_factory(model, b.node, scope, depth + 1)
        return None

    def _lazy_client_built(self, model: ModuleModel, built: Optional[cst.BaseExpression], scope: Optional[Function], depth: int) -> Optional[str]:
        """The lazy client a binding in durable code holds: one built by its constructor
        (`llm = AsyncOpenAI()`), or a configured copy of one (`llm.with_options(..)`), never the
        result of a request (`resp = http.get(..)`: its methods are no further I/O)."""
        if not isinstance(built, cst.Call):
            return None
        factory = self.client_factory(model, built, scope, depth + 1)
        if factory is None or not self.catalogue.is_lazy_client(factory):
            return None
        made = model.resolve(built.func, scope) == factory
        derived = isinstance(built.func, cst.Attribute) and not self.catalogue.sends_request(factory, built.func.attr.value)
        return factory if made or derived else None


def function_sites(model: ModuleModel, function: Function) -> list[Site]:
    """The calls and subscripts that run when `function` runs: its own, and those of lambdas
    in it that are not run actions (`sorted(xs, key=lambda x: random.random())`)."""
    found: list[Site] = [*function.calls, *model.sites_in(function, cst.Subscript)]
    for child in function.children:
        if child.is_lambda and not child.is_action:
            found += function_sites(model, child)
    return found
