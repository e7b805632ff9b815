"""RST503: a handler rejecting its input with a non-terminal exception, which Restate retries (the
input never changes, so every attempt fails the same way until the invocation is paused)."""

from __future__ import annotations

from typing import Iterator, Optional

import libcst as cst

from restate_lint.diagnostics import Finding
from restate_lint.model.module import ModuleModel, Site
from restate_lint.rules.base import check
from restate_lint.registry import RULES

RST503 = RULES["RST503"]

# What validation code raises; any other class may be the project's own TerminalError subclass.
_RETRYABLE = frozenset(f"builtins.{name}" for name in (
    "ValueError", "TypeError", "KeyError", "IndexError", "LookupError", "Exception", "RuntimeError", "AssertionError",
    "PermissionError",
))  # fmt: skip


@check(RST503)
def retryable_error_on_input(model: ModuleModel, settings) -> Iterator[Finding]:
    for site in model.sites[cst.Raise]:
        function = site.function
        if not site.in_durable_code or function.handler is None or site.node.exc is None:
            continue
        exc = site.node.exc
        raised = model.resolve(exc.func if isinstance(exc, cst.Call) else exc, function)
        if raised not in _RETRYABLE or _caught(site):
            continue
        param = _checked_input(model, site)
        if param is None:
            continue
        yield _finding(site, f"`raise {raised.removeprefix('builtins.')}(..)`", param)
    for site in model.sites[cst.Assert]:
        if not site.in_durable_code or site.function.handler is None or _caught(site):
            continue
        param = _tested_input(model, site.node.test, site.function)
        if param is not None:
            yield _finding(site, "`assert` (an `AssertionError` when it fails)", param)


def _finding(site: Site, what: str, param: str) -> Finding:
    return Finding(
        "RST503", site.node,
        f"{what} rejects the handler's input (`{param}`) with a retryable error: Restate retries the invocation "
        f"with the same input, failing the same way until it is paused. Raise `restate.TerminalError(..)` to fail it for good",
    )  # fmt: skip


def _caught(site: Site) -> bool:
    """Raised inside a `try` body of the handler: an except clause may turn it into something else."""
    chain = (*site.ancestors, site.node)
    return any(isinstance(node, cst.Try) and chain[i + 1] is node.body for i, node in enumerate(chain[:-1]))


def _checked_input(model: ModuleModel, site: Site) -> Optional[str]:
    """The handler parameter (not the context) that an `if` around the raise tests."""
    for node in site.ancestors:
        if isinstance(node, cst.If):
            param = _tested_input(model, node.test, site.function)
            if param is not None:
                return param
    return None


def _tested_input(model: ModuleModel, test: cst.BaseExpression, function) -> Optional[str]:
    """The handler parameter (not the context) that a condition reads."""
    inputs = {p.name.value for p in function.params[1:]}
    for name, inner, _ in model.loads(test):
        if name.value in inputs and inner is None and model.scope_of(name.value, function) is function:
            return name.value
    return None
