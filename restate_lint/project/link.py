"""Link: the whole project, on summaries only. Resolves imports and services across modules,
propagates contexts to a fixpoint, computes RST107's chains and the service graph with its
deadlocks, and hands each module the facts its checks need.

Pure and cheap: no parsing, no libcst, nothing written into a summary.
"""

from __future__ import annotations

from functools import cached_property
from typing import Iterator, Optional

from restate_lint.model.facts import ALWAYS, Condition, Deadlock, ForeignFunction, ModuleFacts, Reached, ServiceInfo
from restate_lint.model.sdk import KEYLESS_CALLS, handler_kind
from restate_lint.project.agents import agent_facts, project_tools
from restate_lint.project.graph import ServiceGraph, build_graph, cycle_text
from restate_lint.project.reach import Reach
from restate_lint.project.summary import CallSummary, FunctionSummary, HandlerSummary, ModuleSummary, Ref, ServiceSummary

FnId = tuple[str, int]  # (module name, function index)
ServiceId = tuple[str, int]  # (module name, service index)

_MAX_REEXPORTS = 5


class _Handler:
    __slots__ = ("service", "name", "kind", "method")

    def __init__(self, service: ServiceId, name: Optional[str], kind: Optional[str], method: str):
        self.service, self.name, self.kind, self.method = service, name, kind, method


class Linker:
    def __init__(self, summaries: dict[str, ModuleSummary]):
        self.modules = dict(sorted(summaries.items()))
        self._reexports = {name: dict(m.reexports) for name, m in self.modules.items()}
        self._definitions = {name: set(m.definitions) for name, m in self.modules.items()}
        self._by_qualname: dict[str, dict[str, int]] = {}
        for name, module in self.modules.items():
            index: dict[str, int] = {}
            for i, f in enumerate(module.functions):
                index.setdefault(f.qualname, i)
            self._by_qualname[name] = index
        self._handlers: dict[FnId, _Handler] = {}
        self._service_handlers: dict[ServiceId, list[FnId]] = {}
        self._imported_services: dict[str, dict[str, ServiceInfo]] = {name: {} for name in self.modules}
        self._bind_handlers()
        self.contexts: dict[FnId, set[str]] = {}
        self._propagate_contexts()
        self.actions: set[FnId] = set()
        self._bind_actions()
        self.tools = project_tools(self)
        self.actions |= {fn for fn, (_, journaled) in self.tools.items() if journaled}  # pydantic-ai's auto_wrap_tools
        self._durable: dict[FnId, bool] = {}
        self.reach = Reach(self)

    # -- names -------------------------------------------------------------------------------
    def symbol(self, qualname: Optional[str], _depth: int = 0) -> Optional[tuple[str, list[str]]]:
        """(module, path inside it) for a qualified name that lands in a project module,
        following re-exports (`from .impl import handler` in a package's `__init__`)."""
        if not qualname or _depth > _MAX_REEXPORTS:
            return None
        parts = qualname.split(".")
        for cut in range(len(parts) - 1, 0, -1):
            module = ".".join(parts[:cut])
            if module not in self.modules:
                continue
            target = self._reexports[module].get(parts[cut])
            if target is not None:
                rest = ".".join(parts[cut + 1 :])
                return self.symbol(target + (f".{rest}" if rest else ""), _depth + 1)
            return module, parts[cut:]
        return None

    def function_named(self, qualname: Optional[str]) -> Optional[FnId]:
        found = self.symbol(qualname)
        if found is None:
            return None
        module, path = found
        index = self._by_qualname[module].get(".".join(path))
        return (module, index) if index is not None else None

    def resolve(self, module: str, ref: Ref) -> Optional[FnId]:
        if ref is None:
            return None
        return (module, ref) if isinstance(ref, int) else self.function_named(ref)

    def service_named(self, qualname: str) -> Optional[ServiceId]:
        found = self.symbol(qualname)
        if found is None or len(found[1]) != 1 or found[1][0] not in self._definitions[found[0]]:
            return None
        module, (var,) = found
        return next(((module, i) for i, s in enumerate(self.modules[module].services) if s.exported and s.var == var), None)

    def function(self, fn: FnId) -> FunctionSummary:
        return self.modules[fn[0]].functions[fn[1]]

    def service(self, sid: ServiceId) -> ServiceSummary:
        return self.modules[sid[0]].services[sid[1]]

    def services(self) -> Iterator[tuple[ServiceId, ServiceSummary]]:
        for name, module in self.modules.items():
            for i, service in enumerate(module.services):
                yield (name, i), service

    def calls(self) -> Iterator[tuple[str, CallSummary]]:
        for name, module in self.modules.items():
            for call in module.calls:
                yield name, call

    def display_name(self, callee: FnId, caller_module: str) -> str:
        """How a chain shows a function: its name, prefixed with its module's when it lives elsewhere."""
        qualname = self.function(callee).qualname
        if callee[0] == caller_module or not callee[0]:
            return qualname
        return f"{callee[0].rsplit('.', 1)[-1]}.{qualname}"

    # -- handlers and services -----------------------------------------------------------------
    def _bind_handlers(self) -> None:
        for name, module in self.modules.items():
            bound: set[int] = set()
            for decl in module.handlers:
                if decl.function in bound:
                    continue  # the first decorator that names a service wins
                sid = self._service_of(name, decl)
                if sid is None:
                    continue
                service = self.service(sid)
                if decl.method == "main" and service.kind != "workflow":
                    continue
                bound.add(decl.function)
                fn = (name, decl.function)
                self._handlers[fn] = _Handler(sid, decl.name, handler_kind(service.kind, decl.method, decl.declared_kind), decl.method)
                self._service_handlers.setdefault(sid, []).append(fn)

    def _service_of(self, module: str, decl: HandlerSummary) -> Optional[ServiceId]:
        if isinstance(decl.service, int):
            return module, decl.service
        sid = self.service_named(decl.service)
        if sid is not None:
            service = self.service(sid)
            self._imported_services[module][decl.service] = ServiceInfo(service.kind, service.name, service.var)
        return sid

    def handler(self, fn: FnId) -> Optional[_Handler]:
        return self._handlers.get(fn)

    def handlers_of_service(self, sid: ServiceId) -> list[FnId]:
        return self._service_handlers.get(sid, [])

    # -- contexts ------------------------------------------------------------------------------
    def holds(self, module: str, condition: Condition) -> bool:
        return any(c == ALWAYS or c[1] in self.contexts.get((module, c[0]), ()) for c in condition)

    def _propagate_contexts(self) -> None:
        for name, module in self.modules.items():
            for i, f in enumerate(module.functions):
                params = set(f.contexts)
                if (name, i) in self._handlers and f.positional:
                    params.add(f.positional[0])
                if params:
                    self.contexts[(name, i)] = params
        passing = [(name, call) for name, call in self.calls() if call.context_args and call.callee is not None and call.function is not None]
        changed = True
        while changed:  # a context handed on may reach a function that hands it on again
            changed = False
            for name, call in passing:
                held = [where for where, condition in call.context_args if self.holds(name, condition)]
                callee = self.resolve(name, call.callee) if held else None
                if callee is None:
                    continue
                positional = self.function(callee).positional
                for where in held:
                    param = where if isinstance(where, str) else positional[where] if where < len(positional) else None
                    params = self.contexts.setdefault(callee, set())
                    if param and param not in params:
                        params.add(param)
                        changed = True

    def _bind_actions(self) -> None:
        for name, call in self.calls():
            if call.action is not None and self.holds(name, call.receiver):
                action = self.resolve(name, call.action)
                if action is not None:
                    self.actions.add(action)

    # -- roles of functions --------------------------------------------------------------------
    def _parent(self, fn: FnId) -> Optional[FnId]:
        parent = self.function(fn).parent
        return (fn[0], parent) if parent is not None else None

    def _holds_context(self, fn: FnId) -> bool:
        return fn in self._handlers or bool(self.contexts.get(fn)) or self.function(fn).gets_context

    def is_durable(self, fn: FnId) -> bool:
        """Handler bodies and functions that hold a context, minus run actions."""
        if fn not in self._durable:
            parent = self._parent(fn)
            self._durable[fn] = fn not in self.actions and (self._holds_context(fn) or (parent is not None and self.is_durable(parent)))
        return self._durable[fn]

    def in_action(self, fn: FnId) -> bool:
        f: Optional[FnId] = fn
        while f is not None:
            if f in self.actions:
                return True
            f = self._parent(f)
        return False

    def durable_root(self, fn: FnId) -> Optional[FnId]:
        f: Optional[FnId] = fn
        while f is not None and not self._holds_context(f):
            f = self._parent(f)
        return f

    def body_runs(self, module: str, call: CallSummary) -> Optional[FnId]:
        """The project function whose body the call runs now (see analysis.calls.called_function)."""
        if call.callee is None or self.holds(module, call.receiver) or self.holds(module, call.inside_run):
            return None
        callee = self.resolve(module, call.callee)
        if callee is None:
            return None
        summary = self.function(callee)
        if summary.is_lambda or (summary.is_async and not call.awaited):
            return None
        return callee

    @cached_property
    def _helper_callers(self) -> dict[FnId, list[FnId]]:
        """Which durable roots call a context helper: `await reserve_stock(ctx, ..)` in a handler
        makes the helper's calls that handler's calls (through helpers calling helpers, too)."""
        callers: dict[FnId, list[FnId]] = {}
        for name, call in self.calls():
            if call.function is None or call.callee is None or not self.is_durable((name, call.function)):
                continue
            if not any(self.holds(name, condition) for _, condition in call.context_args):
                continue
            callee = self.resolve(name, call.callee)
            if callee is not None and callee not in self._handlers and self.contexts.get(callee):
                root = self.durable_root((name, call.function))
                if root is not None:
                    callers.setdefault(callee, []).append(root)
        return callers

    def handlers_served_by(self, root: FnId, _seen: Optional[set] = None) -> list[FnId]:
        """The handlers a durable root's code runs for: itself, or the handlers calling the helper."""
        if root in self._handlers:
            return [root]
        seen = _seen if _seen is not None else {root}
        found: list[FnId] = []
        for caller in self._helper_callers.get(root, []):
            if caller not in seen:
                seen.add(caller)
                found += [h for h in self.handlers_served_by(caller, seen) if h not in found]
        return found

    def import_components(self) -> dict[str, int]:
        """Modules linked by imports (either way) share a component number: one application."""
        parent = {name: name for name in self.modules}

        def find(name: str) -> str:
            while parent[name] != name:
                parent[name] = parent[parent[name]]
                name = parent[name]
            return name

        for name, module in self.modules.items():
            for imported in module.imports:
                parts = imported.split(".")
                target = next((".".join(parts[:cut]) for cut in range(len(parts), 0, -1) if ".".join(parts[:cut]) in parent), None)
                if target is not None:
                    parent[find(target)] = find(name)
        roots: dict[str, int] = {}
        return {name: roots.setdefault(find(name), len(roots)) for name in parent}

    # -- exception classes -----------------------------------------------------------------------
    def may_be_terminal(self, qualname: Optional[str], depth: int = 0) -> bool:
        """Could this class be `TerminalError` or derive from it? A base we cannot see gives the
        benefit of the doubt; builtins and libraries are not Restate's TerminalError."""
        if qualname is None or qualname == "restate.TerminalError":
            return True
        found = self.symbol(qualname)
        if found is None or len(found[1]) != 1:
            return False
        bases = dict(self.modules[found[0]].classes).get(found[1][0])
        if bases is None:
            return False
        return depth > 5 or any(self.may_be_terminal(base, depth + 1) for base in bases)

    # -- outputs -------------------------------------------------------------------------------
    @cached_property
    def graph(self) -> ServiceGraph:
        return build_graph(self)

    def facts(self, name: str) -> ModuleFacts:
        module = self.modules[name]
        return ModuleFacts(
            services=tuple(sorted(self._imported_services[name].items())),
            functions=tuple(sorted(self._foreign_functions(name).items())),
            context_params=tuple((i, tuple(sorted(self.contexts[(name, i)]))) for i in range(len(module.functions)) if self.contexts.get((name, i))),
            actions=tuple(i for i in range(len(module.functions)) if (name, i) in self.actions),
            reached=tuple(self._reached(name)),
            deadlocks=tuple(self._deadlocks(name)),
            duplicate_handlers=tuple(self._duplicate_handlers(name)),
            workflows_without_main=tuple(
                i for i, s in enumerate(module.services)
                if s.kind == "workflow" and self.handlers_of_service((name, i)) and not any(self._handlers[h].method == "main" for h in self.handlers_of_service((name, i)))
            ),  # fmt: skip
            terminal_classes=tuple(q for q in module.except_types if q != "restate.TerminalError" and self.symbol(q) is not None and self.may_be_terminal(q)),
            keyless_calls=tuple(self._keyless_calls_by_module.get(name, ())),
            helper_handlers=tuple(self._helper_handlers(name)),
            agents=agent_facts(self, self.tools, name),
        )

    def _foreign_functions(self, name: str) -> dict[str, ForeignFunction]:
        found = {}
        for call in self.modules[name].calls:
            for ref in (call.callee, call.action, call.target):
                if not isinstance(ref, str) or ref in found:
                    continue
                fn = self.function_named(ref)
                if fn is None or fn[0] == name:
                    continue
                f = self.function(fn)
                found[ref] = ForeignFunction(f.qualname, f.name, f.is_async, f.is_lambda, self.is_durable(fn), f.returns_callable, f.return_source, f.mutates, f.called_params)
        return found

    def _reached(self, name: str) -> Iterator[tuple[int, Reached]]:
        for call in self.modules[name].calls:
            if call.function is None or not self.is_durable((name, call.function)):
                continue
            reached = self.reached_by(name, call)
            if reached is not None:
                yield call.index, reached

    def reached_by(self, name: str, call: CallSummary) -> Optional[Reached]:
        """What the plain project function a call runs reaches (durable code is checked where it stands)."""
        callee = self.body_runs(name, call)
        if callee is None or self.is_durable(callee):
            return None
        chain = self.reach.chain(callee) or self.reach.handed_on(name, call, callee)
        return Reached(self.display_name(callee, name), chain.names(), chain.api, chain.kind, chain.steps) if chain is not None else None

    @cached_property
    def _deadlocks_by_module(self) -> dict[str, list[Deadlock]]:
        graph = self.graph
        found: dict[str, list[Deadlock]] = {}
        seen: set[tuple[str, str, int]] = set()
        for code, edges in (("RST402", graph.self_calls()), ("RST403", list(graph.cycles))):
            for edge in edges:
                if (code, edge.module, edge.call) not in seen:
                    seen.add((code, edge.module, edge.call))
                    cycle = cycle_text(graph.cycles[edge]) if code == "RST403" else None
                    found.setdefault(edge.module, []).append(Deadlock(edge.call, code, edge.caller.label, edge.callee.label, cycle))
        return found

    def _helper_handlers(self, name: str) -> Iterator[tuple[int, tuple[tuple[str, str, Optional[str]], ...]]]:
        """For each context helper of the module, the handlers it runs for (RST301/RST401 judge a
        helper's state writes and waits by them)."""
        for i in range(len(self.modules[name].functions)):
            fn = (name, i)
            if fn in self._handlers or fn not in self._helper_callers:
                continue
            served = []
            for h in self.handlers_served_by(fn):
                handler, service = self._handlers[h], self.service(self._handlers[h].service)
                served.append((f"{service.name or service.var}/{handler.name or self.function(h).name}", service.kind, handler.kind))
            if served:
                yield i, tuple(served)

    @cached_property
    def _keyless_calls_by_module(self) -> dict[str, list[tuple[int, str, str]]]:
        """`service_call`/`service_send` aimed at a handler of a virtual object or workflow (RST306)."""
        found: dict[str, dict[int, tuple[int, str, str]]] = {}
        for edge in self.graph.edges:
            if edge.method in KEYLESS_CALLS and edge.callee.service_kind in ("object", "workflow"):
                found.setdefault(edge.module, {}).setdefault(edge.call, (edge.call, edge.callee.label, edge.callee.service_kind))
        return {module: list(calls.values()) for module, calls in found.items()}

    def _deadlocks(self, name: str) -> list[Deadlock]:
        return self._deadlocks_by_module.get(name, [])

    @cached_property
    def _duplicates_by_module(self) -> dict[str, list[tuple[int, str, str]]]:
        found: dict[str, list[tuple[int, str, str]]] = {}
        for sid, fns in self._service_handlers.items():
            service = self.service(sid)
            label = service.name or service.var
            names: set[str] = set()
            mains = 0
            for fn in fns:
                handler = self._handlers[fn]
                if handler.name is not None and handler.name in names:
                    found.setdefault(fn[0], []).append((fn[1], "name", label))
                if handler.method == "main":
                    if mains:
                        found.setdefault(fn[0], []).append((fn[1], "main", label))
                    mains += 1
                if handler.name is not None:
                    names.add(handler.name)
        return found

    def _duplicate_handlers(self, name: str) -> list[tuple[int, str, str]]:
        return self._duplicates_by_module.get(name, [])
