"""model/sdk.py's catalogue of durable operations agrees with the SDK surface table, version by
version: a new SDK release that adds, drops or changes a context method fails here (regenerate
the table with scripts/sdk_surface.py, then update the catalogue), not silently in the rules."""

from __future__ import annotations

import pytest

from restate_lint.model import sdk
from restate_lint.sdk_surface import RUNTIME_CONTEXT, RUNTIME_PROMISE, Surface, table

SURFACES = table().surfaces()
VERSION = [".".join(map(str, s.version)) for s in SURFACES]

# The context's abstract API (what handler code is written against), by handler kind.
CONTEXT_CLASSES = {
    sdk.SERVICE: "restate.context.Context",
    sdk.EXCLUSIVE: "restate.context.ObjectContext",
    sdk.SHARED: "restate.context.ObjectSharedContext",
    sdk.WORKFLOW_MAIN: "restate.context.WorkflowContext",
    sdk.WORKFLOW_SHARED: "restate.context.WorkflowSharedContext",
}
# Ops the catalogue does not count as a future to await although the object they return is
# awaitable: `ctx.promise(..)` gives a DurablePromise whose methods are the journaled operations.
HANDLES = {"promise"}


def methods(surface: Surface, cls: str) -> set[str]:
    prefix = f"{cls}."
    return {
        name[len(prefix):]
        for name in surface.table.names
        if name.startswith(prefix) and "." not in name[len(prefix):] and (surface.describe(name) or {}).get("kind") == "method"
    }  # fmt: skip


@pytest.mark.parametrize("surface", SURFACES, ids=VERSION)
def test_every_context_method_is_in_the_catalogue(surface):
    for cls in (*CONTEXT_CLASSES.values(), "restate.context.ScopedContext"):
        assert methods(surface, cls) <= sdk.CONTEXT_OPS.keys(), cls
    assert methods(surface, "restate.context.DurablePromise") <= sdk.PROMISE_OPS.keys()


@pytest.mark.parametrize("surface", SURFACES, ids=VERSION)
def test_awaitability_matches_the_sdk(surface):
    runtime = methods(surface, RUNTIME_CONTEXT)
    for method, spec in sdk.CONTEXT_OPS.items():
        if method not in runtime:
            continue  # not in this version yet (RST212 reports its use)
        awaitable = surface.returns_awaitable(method)
        if spec.awaitable:
            assert awaitable is True, method
        elif method not in HANDLES:
            assert awaitable is not True, method
    for method, spec in sdk.PROMISE_OPS.items():
        assert method in methods(surface, RUNTIME_PROMISE) and spec.awaitable and surface.returns_awaitable(method, on_promise=True), method


def test_catalogued_methods_exist_in_the_newest_sdk():
    newest = SURFACES[-1]
    assert sdk.CONTEXT_OPS.keys() <= methods(newest, RUNTIME_CONTEXT)
    assert sdk.SCOPED_OPS.keys() <= methods(newest, "restate.server_context.ServerScopedContext")


@pytest.mark.parametrize("surface", SURFACES, ids=VERSION)
def test_which_handler_kinds_have_which_methods(surface):
    """RST301/RST302's premises: services have no state and no key, shared handlers read state but
    do not write it, and promises belong to workflows."""
    have = {kind: methods(surface, cls) for kind, cls in CONTEXT_CLASSES.items()}
    assert not have[sdk.SERVICE] & (sdk.STATE_APIS | {"key"})
    for kind in (sdk.EXCLUSIVE, sdk.WORKFLOW_MAIN):
        assert sdk.STATE_APIS | {"key"} <= have[kind], kind
    for kind in (sdk.SHARED, sdk.WORKFLOW_SHARED):
        assert not have[kind] & sdk.STATE_WRITES and (sdk.STATE_APIS - sdk.STATE_WRITES) | {"key"} <= have[kind], kind
    assert {kind for kind, names in have.items() if "promise" in names} == {sdk.WORKFLOW_MAIN, sdk.WORKFLOW_SHARED}
    for kind, cls in CONTEXT_CLASSES.items():
        assert sdk.CONTEXT_TYPE_FOR_KIND[kind] == "restate." + cls.rpartition(".")[2]
        assert surface.lookup(sdk.CONTEXT_TYPE_FOR_KIND[kind]).qualname == cls
