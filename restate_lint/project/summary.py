"""A module's summary: what the link stage needs to know of it, as plain, picklable data.

Built per file from the module's own model (analysis/summarise.py), cached by content, and read
by the link stage without parsing anything. Functions and call sites are named by their index in
the module's model, which is the same every time the same text is modelled.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Optional, Union

from restate_lint.model.facts import Condition

# A function a call refers to: one of the same module (its index) or a qualified name to resolve.
Ref = Union[int, str, None]


@dataclass(frozen=True)
class FunctionSummary:
    qualname: str
    name: str
    parent: Optional[int]
    is_async: bool
    is_lambda: bool
    positional: tuple[str, ...]  # parameters that can be passed by position, in order
    contexts: tuple[str, ...]  # parameters known to hold a context from the module alone
    gets_context: bool  # calls `current_context()` or a `restate.ext` getter
    effect: Optional[tuple[str, str]]  # (API, catalogue kind) its own body reaches, if any
    calls: tuple[int, ...]  # indexes into ModuleSummary.calls of the calls its body makes (reach)
    returns_callable: bool
    return_source: Optional[str]
    mutates: Optional[str] = None  # a module-level name its body changes (RST105: a stateful helper)
    called_params: tuple[tuple[int, str], ...] = ()  # (position, name) of parameters it calls (RST107)


@dataclass(frozen=True)
class ServiceSummary:
    var: str
    kind: str
    name: Optional[str]
    exported: bool  # bound once at module level: other modules can import it


@dataclass(frozen=True)
class HandlerSummary:
    function: int
    service: Union[int, str]  # a service of this module (index) or the qualified name of an imported one
    method: str  # handler | main
    name: Optional[str]
    declared_kind: Optional[str]


@dataclass(frozen=True)
class CallSummary:
    """A call site that may matter across modules."""

    index: int  # position among the module's call sites
    function: Optional[int]
    callee: Ref  # the function the call runs, for a plain call
    context_args: tuple[tuple[Union[int, str], Condition], ...]  # (position or keyword, when that argument holds a context)
    method: str  # for `recv.method(..)`: the method name
    receiver: Condition  # when the receiver is a context (the call is then a durable operation)
    awaited: bool  # the call's coroutine is awaited (directly or through a name)
    inside_run: Condition  # when the call is itself the action argument of a run call
    action: Ref = None  # run calls: the action
    target: Ref = None  # calls and sends: the handler targeted by reference
    generic: Optional[tuple[Optional[str], Optional[str]]] = None  # generic calls: literal service and handler names
    key_text: Optional[str] = None
    key_literal: Optional[str] = None
    own_key: Condition = frozenset()  # when the key is this invocation's own key
    delayed: bool = False  # a send with `send_delay`
    function_args: tuple[tuple[Union[int, str], Ref], ...] = ()  # (position or keyword, the function it names): RST107


@dataclass(frozen=True)
class AgentsSummary:
    """What the module does with the agent frameworks that other modules need (model/agents.py)."""

    tools: tuple[tuple[Ref, str, bool], ...] = ()  # functions it gives an agent as tools: (function, framework, journaled by the wrapper)
    agents: tuple[tuple[str, str, str], ...] = ()  # module-level names bound to an agent whose runs are not durable: (name, framework, problem)
    pydantic_tools: tuple[tuple[str, Ref], ...] = ()  # tools of module-level pydantic-ai agents: (agent name, function)
    wrapped: tuple[tuple[str, str, bool], ...] = ()  # `RestateAgent(..)` of another module's agent: (its qualified name, framework, journaled)


@dataclass(frozen=True)
class ModuleSummary:
    name: str
    path: str
    imports: tuple[str, ...]  # every imported qualified name (module level and in functions)
    reexports: tuple[tuple[str, str], ...]  # module-level names bound once, by an import: name -> target
    definitions: tuple[str, ...]  # module-level names bound once by a def, class or assignment
    classes: tuple[tuple[str, tuple[Optional[str], ...]], ...]  # module-level classes -> base qualified names
    except_types: tuple[str, ...]  # exception classes caught in durable-looking code, by qualified name
    functions: tuple[FunctionSummary, ...]
    services: tuple[ServiceSummary, ...]
    handlers: tuple[HandlerSummary, ...]
    calls: tuple[CallSummary, ...]
    agents: AgentsSummary = AgentsSummary()
