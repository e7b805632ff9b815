"""Facts about the Restate Python SDK (restate-sdk 1.3.0) as data.

Every rule reads the SDK through this module, so a change in the SDK is one
edit here.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Optional


@dataclass(frozen=True)
class OpSpec:
    category: str  # run, sleep, call, send, state_read, state_write, awakeable, promise, ...
    awaitable: bool  # the call returns a future that must be awaited


_OPS = {
    # journaled, return futures
    "run": ("run", True),
    "run_typed": ("run", True),
    "sleep": ("sleep", True),
    "service_call": ("call", True),
    "object_call": ("call", True),
    "workflow_call": ("call", True),
    "generic_call": ("call", True),
    "get": ("state_read", True),
    "state_keys": ("state_read", True),
    "time": ("time", True),
    "attach_invocation": ("attach", True),
    "signal": ("signal", True),
    # no future to await
    "set": ("state_write", False),
    "clear": ("state_write", False),
    "clear_all": ("state_write", False),
    "key": ("key", False),
    "uuid": ("uuid", False),
    "random": ("random", False),
    "request": ("request", False),
    "service_send": ("send", False),
    "object_send": ("send", False),
    "workflow_send": ("send", False),
    "generic_send": ("send", False),
    "resolve_awakeable": ("awakeable_complete", False),
    "reject_awakeable": ("awakeable_complete", False),
    "resolve_signal": ("signal_complete", False),
    "reject_signal": ("signal_complete", False),
    "cancel_invocation": ("cancel", False),
    # return objects holding futures: `name, fut = ctx.awakeable()`, `ctx.promise(..).value()`
    "awakeable": ("awakeable", False),
    "promise": ("promise", False),
    "scope": ("scope", False),
}
CONTEXT_OPS = {name: OpSpec(*spec) for name, spec in _OPS.items()}

# DurablePromise methods: each returns an awaitable journaled operation.
PROMISE_OPS = {name: OpSpec("promise", True) for name in ("value", "peek", "resolve", "reject")}

# ScopedContext (ctx.scope("..")) offers the call/send subset.
SCOPED_OPS = {
    name: CONTEXT_OPS[name]
    for name in ("service_call", "service_send", "object_call", "object_send", "workflow_call", "workflow_send")
}

# Context methods that write nothing to the journal.
NOT_JOURNALED = frozenset({"key", "request", "uuid", "random", "promise", "scope"})

# Arguments that shape the journal entry of an operation: (position, keyword, what it is).
JOURNAL_SHAPING_ARGS = {
    **{m: ((0, "name", "run name"),) for m in ("run", "run_typed")},
    **{m: ((0, "name", "state key"),) for m in ("get", "set", "clear")},
    "promise": ((0, "name", "promise name"),),
    "sleep": ((0, "delta", "sleep duration"),),
    **{m: ((0, "tpe", "call target"),) for m in ("service_call", "service_send")},
    **{m: ((0, "tpe", "call target"), (1, "key", "call key")) for m in ("object_call", "object_send", "workflow_call", "workflow_send")},
    **{m: ((0, "service", "call target"), (1, "handler", "call target"), (3, "key", "call key")) for m in ("generic_call", "generic_send")},
}

STATE_WRITES = {"set", "clear", "clear_all"}
STATE_APIS = {"get", "set", "clear", "clear_all", "state_keys"}
REQUEST_RESPONSE_CALLS = {"service_call", "object_call", "workflow_call", "generic_call"}
SENDS = {"service_send", "object_send", "workflow_send", "generic_send"}

# Where the call APIs take the key and the send delay: positional index (keyword is `key` / `send_delay`).
KEY_POSITION = {"object_call": 1, "object_send": 1, "workflow_call": 1, "workflow_send": 1, "generic_call": 3, "generic_send": 3}
SEND_DELAY_POSITION = {"service_send": 2, "object_send": 3, "workflow_send": 3, "generic_send": 4}

# Canonical public names for the SDK's definitions, whichever submodule they are imported from.
_PUBLIC = {
    "Service": ("service",),
    "VirtualObject": ("object",),
    "Workflow": ("workflow",),
    "Context": ("context",),
    "ObjectContext": ("context",),
    "ObjectSharedContext": ("context",),
    "WorkflowContext": ("context",),
    "WorkflowSharedContext": ("context",),
    "RunOptions": ("context",),
    "DurablePromise": ("context",),
    "TerminalError": ("exceptions",),
    "SdkInternalBaseException": ("exceptions",),
    "is_internal_exception": ("exceptions",),
    "gather": ("asyncio",),
    "select": ("asyncio",),
    "wait_completed": ("asyncio",),
    "as_completed": ("asyncio",),
    "getLogger": ("logging",),
    "RestateLoggingFilter": ("logging",),
    "RestateClient": ("client_types",),
    "create_client": ("client",),
    "app": ("endpoint",),
}
_ALIASES = {f"restate.{mod}.{name}": f"restate.{name}" for name, mods in _PUBLIC.items() for mod in mods}
_ALIASES["restate.server_context.current_context"] = "restate.extensions.current_context"
for _ext in ("openai", "adk", "pydantic", "langchain"):
    for _fn in ("restate_context", "restate_object_context"):
        _ALIASES[f"restate.ext.{_ext}.{_fn}"] = f"restate.ext.{_fn}"


def canonical(qualname: str) -> str:
    """The public name of an SDK definition (`restate.context.Context` -> `restate.Context`)."""
    return _ALIASES.get(qualname, qualname)


SERVICE_CLASSES = {
    "restate.Service": "service",
    "restate.VirtualObject": "object",
    "restate.Workflow": "workflow",
}

# Handler kinds, and the context annotation each one should carry (RST303).
SERVICE = "service"
EXCLUSIVE = "exclusive"
SHARED = "shared"
WORKFLOW_MAIN = "workflow_main"
WORKFLOW_SHARED = "workflow_shared"

def handler_kind(service_kind: str, method: str, declared: Optional[str]) -> Optional[str]:
    if service_kind == "service":
        return SERVICE
    if service_kind == "workflow":
        return WORKFLOW_MAIN if method == "main" else WORKFLOW_SHARED
    return declared


CONTEXT_TYPE_FOR_KIND = {
    SERVICE: "restate.Context",
    EXCLUSIVE: "restate.ObjectContext",
    SHARED: "restate.ObjectSharedContext",
    WORKFLOW_MAIN: "restate.WorkflowContext",
    WORKFLOW_SHARED: "restate.WorkflowSharedContext",
}
CONTEXT_TYPES = set(CONTEXT_TYPE_FOR_KIND.values())

# Calls that hand out the current invocation's context.
CONTEXT_GETTERS = {
    "restate.extensions.current_context",
    "restate.ext.restate_context",
    "restate.ext.restate_object_context",
}

# Restate combinators that accept SDK futures.
COMBINATORS = {"restate.gather", "restate.select", "restate.wait_completed", "restate.as_completed"}

# Manifest name patterns (RST305).
SERVICE_NAME_PATTERN = r"^([a-zA-Z]|_[a-zA-Z0-9])[a-zA-Z0-9._-]*$"
HANDLER_NAME_PATTERN = r"^([a-zA-Z]|_[a-zA-Z0-9])[a-zA-Z0-9_]*$"

# Calls whose target carries no key: a service's handlers (`service_call(handler, arg=..)`).
KEYLESS_CALLS = frozenset({"service_call", "service_send"})

# Arguments the journal records and the SDK compares on replay (a different value is RT0016):
# method -> (position, keyword). Run actions' arguments are not journaled (only the result is).
PAYLOAD_POSITION = {
    "set": (1, "value"), "resolve_awakeable": (1, "value"),
    "service_call": (1, "arg"), "service_send": (1, "arg"),
    "object_call": (2, "arg"), "object_send": (2, "arg"), "workflow_call": (2, "arg"), "workflow_send": (2, "arg"),
}  # fmt: skip
