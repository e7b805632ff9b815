"""RST601: output in durable code that is repeated on every replay (print, unfiltered loggers)."""

from __future__ import annotations

from typing import Iterator, Optional

import libcst as cst

from restate_lint.diagnostics import Finding, Fix, NodeEdit
from restate_lint.model.journal import may_suspend, suspends_later
from restate_lint.model.module import CallSite, ModuleModel
from restate_lint.model.scope import Function
from restate_lint.rules.base import check
from restate_lint.rules.edits import reference
from restate_lint.sdk_surface import minor, show
from restate_lint.sdk_version import target_sdk_version
from restate_lint.registry import RULES

RST601 = RULES["RST601"]

_LOG_METHODS = {"debug", "info", "warning", "warn", "error", "exception", "critical", "fatal", "log"}
_FILTER = "restate.RestateLoggingFilter"


@check(RST601)
def non_replay_aware_logging(model: ModuleModel, settings) -> Iterator[Finding]:
    older = _without_restate_logger(settings)
    for site in model.calls:
        if not site.in_durable_code or not _replayed(model, site):
            continue
        func = site.node.func
        if model.callee_name(site) == "builtins.print":
            yield Finding(
                "RST601", site.node,
                "`print(..)` in durable code prints again on every replay" + (older or ": log with a logger from `restate.getLogger(..)`, which drops records while replaying"),
                _print_fix(model, site),
            )  # fmt: skip
        elif isinstance(func, cst.Attribute) and func.attr.value in _LOG_METHODS:
            receiver = func.value
            if model.resolve(receiver, site.function) == "logging":
                yield Finding(
                    "RST601", site.node,
                    f"`logging.{func.attr.value}(..)` logs again on every replay" + (older or ": use a logger from `restate.getLogger(..)`, which drops records while replaying"),
                    _use_logger_fix(model, site, receiver),
                )  # fmt: skip
                continue
            created = _unfiltered_logger(model, receiver, site.function)
            if created is not None:
                call, scope = created
                yield Finding(
                    "RST601", site.node,
                    f"`{model.tree.code_for_node(receiver)}` comes from `logging.getLogger(..)`" + (
                        f": it logs again on every replay{older}" if older else
                        " without `restate.RestateLoggingFilter`: it logs again on every replay. Create it with `restate.getLogger(..)`"
                    ),
                    _restate_logger_fix(model, call) if scope is None and not older else None,
                )  # fmt: skip


_LOGGER_SINCE = (0, 9)  # restate-sdk 0.9.0 added restate/logging.py: getLogger, RestateLoggingFilter


def _without_restate_logger(settings) -> Optional[str]:
    """What the message says instead of its advice when the SDK the project targets predates
    `restate.getLogger` (None when it has it): then no fix may write it either."""
    target = target_sdk_version(settings)
    if target is None or tuple(target[:2]) >= _LOGGER_SINCE:
        return None
    return f"; restate-sdk {show(target)}, the version the project targets, has no replay-aware logger: `restate.getLogger(..)` came in {minor(_LOGGER_SINCE)}"


def _replayed(model: ModuleModel, site: CallSite) -> bool:
    """Is the line replayed? Only code before a place where the invocation may stop is: a
    journaled operation, or an await of a durable future made earlier (`await approval` after
    `name, approval = ctx.awakeable()`). A handler that does neither after the line runs it once
    per attempt, as a replay-aware logger would. (A helper's caller may journal after calling it.)"""
    function = site.function
    return function.handler is None or (suspends_later(model, site, function) and not _leaves_first(model, site))


def _leaves_first(model: ModuleModel, site: CallSite) -> bool:
    """Does the handler return or raise, right after this line, before it may stop (`logger.error(..)`
    then `raise TerminalError(..)` in a branch)? Not inside a `try`, whose handlers may go on
    journaling."""
    chain = [*site.ancestors, site.node]
    if any(isinstance(node, (cst.Try, cst.TryStar)) for node in chain):
        return False
    for index in range(len(chain) - 2, -1, -1):
        node, child = chain[index], chain[index + 1]
        if node is site.function.node:
            break
        body = getattr(node, "body", None)
        if isinstance(body, (list, tuple)) and child in body:
            for later in body[body.index(child) + 1 :]:
                if may_suspend(model, later):
                    return False
                if isinstance(later, cst.SimpleStatementLine) and any(isinstance(small, (cst.Return, cst.Raise)) for small in later.body):
                    return True
    return False


def _unfiltered_logger(model: ModuleModel, expr: cst.BaseExpression, function: Optional[Function]) -> Optional[tuple[cst.Call, Optional[Function]]]:
    """The `logging.getLogger(..)` call that made the logger `expr` holds, and the scope it is bound
    in, when no `RestateLoggingFilter` was added to it."""
    if isinstance(expr, cst.Call):
        return (expr, function) if model.resolve(expr.func, function) == "logging.getLogger" else None
    scope, bindings = model.bindings_of(expr, function)
    if len(bindings) != 1 or bindings[0].kind != "assign" or not isinstance(bindings[0].node, cst.Call):
        return None
    call = bindings[0].node
    if model.resolve(call.func, scope) != "logging.getLogger" or _filtered(model, expr.value, scope):
        return None
    return call, scope


def _filtered(model: ModuleModel, name: str, scope: Optional[Function]) -> bool:
    """Somewhere `name.addFilter(restate.RestateLoggingFilter())` is called on this variable."""
    for site in model.calls:
        func = site.node.func
        if not (isinstance(func, cst.Attribute) and func.attr.value == "addFilter" and isinstance(func.value, cst.Name) and func.value.value == name):
            continue
        if model.scope_of(name, site.function) is not scope:
            continue
        for arg in site.node.args:
            if _is_filter(model, arg.value, site.function):
                return True
    return False


def _is_filter(model: ModuleModel, expr: cst.BaseExpression, function: Optional[Function]) -> bool:
    if isinstance(expr, cst.Call):
        return model.resolve(expr.func, function) == _FILTER
    scope, bindings = model.bindings_of(expr, function)
    return len(bindings) == 1 and bindings[0].kind == "assign" and isinstance(bindings[0].node, cst.Call) and model.resolve(bindings[0].node.func, scope) == _FILTER


# -- fixes ---------------------------------------------------------------------------------------
def _restate_logger_fix(model: ModuleModel, call: cst.Call) -> Optional[Fix]:
    """`logger = logging.getLogger(..)` at module level -> `restate.getLogger(..)` (same name, filter added)."""
    found = reference(model, "restate.getLogger", None)
    if found is None:
        return None
    text, imports = found
    return Fix("safe", "Create the logger with `restate.getLogger(..)`", [NodeEdit(call.func, text), *imports])


def _replay_aware_logger(model: ModuleModel, function: Optional[Function]) -> Optional[str]:
    """A module-level logger that drops records while replaying, visible from `function`."""
    for name, bindings in model.bindings.items():
        if len(bindings) != 1 or bindings[0].kind != "assign" or not isinstance(bindings[0].node, cst.Call):
            continue
        made_by = model.resolve(bindings[0].node.func, None)
        if made_by == "restate.getLogger" or (made_by == "logging.getLogger" and _filtered(model, name, None)):
            if model.scope_of(name, function) is None:
                return name
    return None


def _use_logger_fix(model: ModuleModel, site: CallSite, receiver: cst.BaseExpression) -> Optional[Fix]:
    """`logging.info(..)` -> `logger.info(..)` with the module's replay-aware logger."""
    logger = _replay_aware_logger(model, site.function)
    return Fix("safe", f"Log with `{logger}`", [NodeEdit(receiver, logger)]) if logger else None


def _print_fix(model: ModuleModel, site: CallSite) -> Optional[Fix]:
    """`print(a, b)` -> `logger.info("%s %s", a, b)` with the module's replay-aware logger."""
    args = site.node.args
    logger = _replay_aware_logger(model, site.function)
    if logger is None or not args or any(a.keyword is not None or a.star for a in args):
        return None
    values = [model.tree.code_for_node(a.value) for a in args]
    template = " ".join(["%s"] * len(values))
    text = f"{logger}.info({values[0]})" if len(values) == 1 else f'{logger}.info("{template}", {", ".join(values)})'
    return Fix("safe", f"Log with `{logger}`", [NodeEdit(site.node, text)])
