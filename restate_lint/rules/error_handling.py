"""RST501-RST502: catch-all error handling around durable operations.

The SDK unwinds a suspending handler with an internal exception (a `BaseException` since
restate-sdk 0.12, an `Exception` up to 0.10.2), and signals cancellation and terminal failures
with `TerminalError` (an `Exception`). A catch-all that does not let these through turns a
suspension into a real run of the except block, or a cancellation into a success.
"""

from __future__ import annotations

from typing import Callable, Iterator, Optional

import libcst as cst

from restate_lint.diagnostics import Finding, Fix, NodeEdit, Severity
from restate_lint.model.module import ModuleModel, Site
from restate_lint.model.scope import Function
from restate_lint.model.walk import contains
from restate_lint.rules.base import check
from restate_lint.rules.edits import restate_ref
from restate_lint.sdk_surface import for_settings, minor, table
from restate_lint.registry import RULES

RST501 = RULES["RST501"]
RST502 = RULES["RST502"]

_INTERNAL = {"restate.SdkInternalBaseException", "restate.exceptions.SuspendedException", "restate.exceptions.SdkInternalException"}
_TERMINAL = {"restate.TerminalError"}


@check(RST501, RST502)
def broad_except(model: ModuleModel, settings) -> Iterator[Finding]:
    old_sdk = None
    for site in model.sites[cst.ExceptHandler]:
        if not site.in_durable_code:
            continue
        caught = _catch_all(model, site.node.type, site.function)
        if caught is None or not _protects_durable_code(model, site.parent.body, site.function):
            continue
        name = site.node.name.name.value if site.node.name is not None and isinstance(site.node.name.name, cst.Name) else None
        if caught == "BaseException":
            if _lets_through(model, site, name, _INTERNAL, _reraise_of(name)):
                continue
            what = "A bare `except:`" if site.node.type is None else "`except BaseException`"
            yield Finding("RST501", site.node, f"{what} around durable operations catches the SDK's suspension: the except block then runs for real on every suspension. Re-raise first: `if restate.is_internal_exception(e): raise` (or catch `restate.TerminalError`)", _guard_fix(model, site, name, "internal"))
        else:
            if old_sdk is None:
                old_sdk = _suspension_is_exception(settings)
            accept = _reraise_of(name) if old_sdk else _any_raise
            if _lets_through(model, site, name, _TERMINAL, accept):
                continue
            # before 0.11 the block must also let suspension through: no one-line guard does both
            yield _rst502(model, site.node, old_sdk, "`except Exception`", None if old_sdk else _guard_fix(model, site, name, "terminal"), _raises(site.node.body))
    for site in model.sites[cst.With]:
        if not site.in_durable_code:
            continue
        for item in site.node.items:
            call = item.item
            if not (isinstance(call, cst.Call) and model.resolve(call.func, site.function) == "contextlib.suppress"):
                continue
            caught = _catch_all(model, cst.Tuple([cst.Element(a.value) for a in call.args if not a.star]), site.function) if call.args else None
            if caught is None or not _protects_durable_code(model, site.node.body, site.function):
                continue
            if caught == "BaseException":
                yield Finding("RST501", call, "`contextlib.suppress(BaseException)` around durable operations swallows the SDK's suspension: the code after it runs for real on every suspension. Catch `restate.TerminalError` instead")
            else:
                if old_sdk is None:
                    old_sdk = _suspension_is_exception(settings)
                yield _rst502(model, call, old_sdk, "`contextlib.suppress(Exception)`", None)


def _rst502(model: ModuleModel, anchor: cst.CSTNode, old_sdk: bool, what: str, fix: Optional[Fix], raises: bool = False) -> Finding:
    if old_sdk:
        message = f"{what} around durable operations catches the SDK's suspension (an `Exception` up to restate-sdk {_last_suspension_exception()}), cancellation and terminal errors: re-raise them (`raise`), or catch `restate.TerminalError` only"
        return Finding("RST502", anchor, message, fix, severity=Severity.ERROR)
    advice = "Re-raise `restate.TerminalError` (`if isinstance(e, TerminalError): raise`), or catch narrower exceptions"
    if raises:
        message = (
            f"{what} around durable operations handles cancellation (`TerminalError` 409) and terminal failures like any other error: "
            f"where the block does not raise, the handler goes on as if the operation had succeeded, and an error raised in their place "
            f"replaces them (unless it is a `TerminalError`, a cancelled invocation is then retried instead of ending). {advice}"
        )  # fmt: skip
    else:
        message = f"{what} around durable operations swallows cancellation (`TerminalError` 409) and terminal failures: the invocation completes as if it succeeded. {advice}"
    return Finding("RST502", anchor, message, fix)


def _raises(block: cst.BaseSuite) -> bool:
    return contains(block, (cst.Raise,))


def _suspension_is_exception(settings) -> bool:
    """A target older than the SDK table is taken as its oldest version (0.10)."""
    return for_settings(settings, older_as_oldest=True).suspension_is_exception()


def _last_suspension_exception() -> str:
    return minor(max(s.version for s in table().surfaces() if s.suspension_is_exception()))


def _catch_all(model: ModuleModel, types: Optional[cst.BaseExpression], function) -> Optional[str]:
    """"BaseException" for a bare except or one naming BaseException, "Exception" for Exception
    (also in tuples), else None."""
    if types is None:
        return "BaseException"
    elements = [e.value for e in types.elements] if isinstance(types, cst.Tuple) else [types]
    names = {model.resolve(e, function) for e in elements}
    if "builtins.BaseException" in names:
        return "BaseException"
    if "builtins.Exception" in names:
        return "Exception"
    return None


# -- what the protected code does ----------------------------------------------------------------
def _protects_durable_code(model: ModuleModel, body: cst.BaseSuite, function: Optional[Function]) -> bool:
    """The block awaits a durable operation, or a helper it hands the context to (where the
    invocation can suspend, be cancelled or fail terminally)."""
    for site in function.awaits if function is not None else ():
        if body not in site.ancestors:
            continue
        expr = site.node.expression
        if model.awaited_ops(expr, function):
            return True
        if isinstance(expr, cst.Call) and any(model.is_context_value(a.value, function) for a in expr.args):
            return True
    return False


# -- what the except block does -------------------------------------------------------------------
Accept = Callable[[cst.Raise], bool]


def _any_raise(node: cst.Raise) -> bool:
    return True


def _reraise_of(name: Optional[str]) -> Accept:
    """`raise`, `raise e`, `raise X from e`: the caught exception goes on (as itself or as the cause)."""

    def accept(node: cst.Raise) -> bool:
        if node.exc is None:
            return True
        if name is None:
            return False
        cause = node.cause.item if node.cause is not None else None
        return any(isinstance(n, cst.Name) and n.value == name for n in (node.exc, cause))

    return accept


def _lets_through(model: ModuleModel, site: Site, name: Optional[str], guard_types: set, accept: Accept) -> bool:
    """The except block raises on every path, or re-raises first behind a guard that tests for the
    exceptions that must go on (`if restate.is_internal_exception(e): raise`)."""
    body = site.node.body
    if _always_raises(body, accept):
        return True
    for statement in _statements(body):
        if isinstance(statement, cst.If) and name is not None and _is_guard(model, statement.test, name, guard_types, site.function):
            if _always_raises(statement.body, _reraise_of(name)):
                return True
    return False


def _statements(block: cst.BaseSuite) -> list:
    if isinstance(block, cst.IndentedBlock):
        return list(block.body)
    return [block]


def _always_raises(block: cst.CSTNode, accept: Accept) -> bool:
    for statement in _statements(block) if isinstance(block, cst.BaseSuite) else [block]:
        if isinstance(statement, (cst.SimpleStatementLine, cst.SimpleStatementSuite)):
            if any(isinstance(small, cst.Raise) and accept(small) for small in statement.body):
                return True
        elif isinstance(statement, cst.If) and statement.orelse is not None:
            otherwise = statement.orelse.body if isinstance(statement.orelse, cst.Else) else statement.orelse
            if _always_raises(statement.body, accept) and _always_raises(otherwise, accept):
                return True
    return False


def _is_guard(model: ModuleModel, test: cst.BaseExpression, name: str, types: set, function) -> bool:
    """`restate.is_internal_exception(e)` (for internal exceptions) or `isinstance(e, T)` with T one
    of `types`."""
    if not isinstance(test, cst.Call) or not test.args or not (isinstance(test.args[0].value, cst.Name) and test.args[0].value.value == name):
        return False
    callee = model.resolve(test.func, function)
    if callee == "restate.is_internal_exception":
        return types is _INTERNAL
    if callee == "builtins.isinstance" and len(test.args) == 2:
        classes = test.args[1].value
        elements = [e.value for e in classes.elements] if isinstance(classes, cst.Tuple) else [classes]
        return any(model.resolve(e, function) in types for e in elements)
    return False


# -- fixes ------------------------------------------------------------------------------------------
_NAMES = ("e", "exc", "err", "error", "caught")


def _guard_fix(model: ModuleModel, site: Site, name: Optional[str], kind: str) -> Optional[Fix]:
    """Insert `if restate.is_internal_exception(e): raise` (or the TerminalError guard) at the top of
    the except block, binding the exception to a free name when the clause has none."""
    handler: cst.ExceptHandler = site.node
    body = handler.body
    if not isinstance(body, cst.IndentedBlock) or not body.body:
        return None
    if kind == "internal":
        ref = restate_ref(model, "is_internal_exception")
        test = f"{ref}({{}})" if ref else None
    else:
        ref = restate_ref(model, "TerminalError")
        test = f"isinstance({{}}, {ref})" if ref else None
    if test is None:
        return None
    edits = []
    if name is None:
        name = next((n for n in _NAMES if model.scope_of(n, site.function) is None and n not in model.bindings), None)
        if name is None:
            return None
        if handler.type is None:
            edits.append(NodeEdit(handler.whitespace_before_colon, f" BaseException as {name}", "before"))
        else:
            edits.append(NodeEdit(handler.type, f" as {name}", "after"))
    inner = body.indent if body.indent is not None else model.tree.default_indent
    indent = "".join(b.indent if b.indent is not None else model.tree.default_indent for b in site.ancestors if isinstance(b, cst.IndentedBlock)) + inner
    edits.append(NodeEdit(body.body[0], f"if {test.format(name)}:\n{indent}{inner}raise\n{indent}", "before"))
    what = "internal exceptions" if kind == "internal" else "`TerminalError`"
    return Fix("unsafe", f"Re-raise {what} first", edits)
