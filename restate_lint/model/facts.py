"""What the project knows about one module that the module alone cannot tell: plain, picklable
data computed by the link stage from every module's summary, handed to the module's checks.

Nothing here imports libcst: a fully cached run reads facts without parsing anything.
"""

from __future__ import annotations

from dataclasses import dataclass
from functools import cached_property
from typing import Optional

# A condition under which an expression holds a Restate context: any of these (function index,
# parameter) pairs being a context parameter, or ALWAYS.
Condition = frozenset
ALWAYS = (-1, "")


@dataclass(frozen=True)
class ServiceInfo:
    kind: str  # service | object | workflow
    name: Optional[str]  # the Restate name, None when not a literal
    var: str


@dataclass(frozen=True)
class ForeignFunction:
    """A project function of another module, as the calling module's checks need it."""

    qualname: str  # dotted path inside its module
    name: str
    is_async: bool
    is_lambda: bool
    is_durable: bool
    returns_callable: bool  # a factory: it returns a lambda, a def or a partial (RST203)
    return_source: Optional[str]  # the non-deterministic source its return value derives from (RST103)
    mutates: Optional[str] = None  # a module-level name of its module it changes (RST105)
    called_params: tuple[tuple[int, str], ...] = ()  # (position, name) of parameters it calls (RST107)

    module = None  # never this module's: rules that inspect a body skip it


CALLS_PARAMETER = -2  # a chain step's site: where a helper calls the parameter next in the chain


@dataclass(frozen=True)
class Reached:
    """RST107: a call from durable code to a plain project function that reaches a catalogued API."""

    callee: str  # how the chain shows the callee
    chain: tuple[str, ...]  # the functions on the way, then the API
    api: str
    kind: str  # catalogue kind of the API
    # where, per function from the callee on: (module, function index, site index of its call
    # onward, -1 where its own body reaches the API, or CALLS_PARAMETER)
    steps: tuple[tuple[str, int, int], ...] = ()


@dataclass(frozen=True)
class Deadlock:
    """RST402/RST403: a blocking call of this module on a deadlock, found in the service graph."""

    call: int  # index of the call site in the module
    code: str
    caller: str
    callee: str
    cycle: Optional[str]


@dataclass(frozen=True)
class AgentFacts:
    """What other modules tell of this module's agent code (model/agents.py, project/agents.py)."""

    agents: tuple[tuple[str, str, str], ...] = ()  # imported names bound to an agent whose runs are not durable: (qualname, framework, problem)
    tools: tuple[tuple[int, str, bool], ...] = ()  # functions of this module given to an agent as tools: (index, framework, journaled)
    tool_reached: tuple[tuple[int, Reached], ...] = ()  # RST110: call index in a tool -> the I/O the called function reaches

    def agent(self, qualname: Optional[str]) -> Optional[tuple[str, str]]:
        return next(((framework, problem) for name, framework, problem in self.agents if name == qualname), None)


@dataclass(frozen=True)
class ModuleFacts:
    services: tuple[tuple[str, ServiceInfo], ...] = ()  # imported services by qualified name
    functions: tuple[tuple[str, ForeignFunction], ...] = ()  # functions of other modules it refers to
    context_params: tuple[tuple[int, tuple[str, ...]], ...] = ()  # function index -> parameters holding a context
    actions: tuple[int, ...] = ()  # functions that run as run actions (called from here or elsewhere)
    reached: tuple[tuple[int, Reached], ...] = ()  # call index -> what the called function reaches
    deadlocks: tuple[Deadlock, ...] = ()
    duplicate_handlers: tuple[tuple[int, str, str], ...] = ()  # (function index, "name" | "main", service label)
    workflows_without_main: tuple[int, ...] = ()  # indexes of this module's workflow definitions
    terminal_classes: tuple[str, ...] = ()  # exception classes named here that may be TerminalError
    keyless_calls: tuple[tuple[int, str, str], ...] = ()  # (call index, callee label, its service kind): RST306
    # context helpers (function index) -> the handlers they run for: (label, service kind, handler kind)
    helper_handlers: tuple[tuple[int, tuple[tuple[str, str, Optional[str]], ...]], ...] = ()
    agents: AgentFacts = AgentFacts()

    def handlers_of_helper(self, index: int) -> tuple[tuple[str, str, Optional[str]], ...]:
        return dict(self.helper_handlers).get(index, ())

    @cached_property
    def _services(self) -> dict:
        return dict(self.services)

    @cached_property
    def _functions(self) -> dict:
        return dict(self.functions)

    def service(self, qualname: str) -> Optional[ServiceInfo]:
        return self._services.get(qualname)

    def function(self, qualname: str) -> Optional[ForeignFunction]:
        return self._functions.get(qualname)
