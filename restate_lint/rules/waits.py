"""RST401, RST404, RST405: waiting for time or for someone else inside a handler."""

from __future__ import annotations

from typing import Iterator, Optional

import libcst as cst

from restate_lint.diagnostics import Finding
from restate_lint.model import sdk
from restate_lint.model.journal import journals_later
from restate_lint.model.module import DurableOp, ModuleModel, Site
from restate_lint.model.services import argument
from restate_lint.rules.base import check
from restate_lint.registry import RULES

RST401 = RULES["RST401"]
RST404 = RULES["RST404"]
RST405 = RULES["RST405"]

_WAIT_WORDS = {
    "sleep": "a timer (`ctx.sleep`)", "awakeable": "an awakeable", "promise": "a durable promise",
    "attach": "another invocation (`attach_invocation`)", "signal": "a signal (`ctx.signal`)",
}  # fmt: skip
_EXTERNAL = {"awakeable": "an awakeable", "promise": "a durable promise", "signal": "a signal (`ctx.signal`)"}  # someone else must answer

# Combinators whose result is ready when the first future completes: a timer in them is a timeout.
_RACES = {"restate.select", "restate.wait_completed"}


def _wait_kind(op: DurableOp) -> Optional[str]:
    """What an awaited operation waits for, if it is something other than this invocation's own
    progress: time, an external party, another invocation."""
    if op.method == "sleep":
        return "sleep"
    if op.method == "awakeable":
        return "awakeable"
    if op.method in ("promise", "value"):  # `await ctx.promise(..)`, `await ctx.promise(..).value()`
        return "promise"
    if op.method == "attach_invocation":
        return "attach"
    if op.method == "signal":
        return "signal"
    return None


def _durable_awaits(model: ModuleModel) -> Iterator[tuple[Site, list[str]]]:
    for site in model.sites[cst.Await]:
        if site.in_durable_code:
            kinds = [k for k in map(_wait_kind, model.awaited_ops(site.node.expression, site.function)) if k]
            if kinds:
                yield site, kinds


# -- RST401 ---------------------------------------------------------------------------------------
@check(RST401)
def blocking_wait_in_exclusive_handler(model: ModuleModel, settings) -> Iterator[Finding]:
    for site, kinds in _durable_awaits(model):
        who = _exclusive_waiter(model, site)
        if who is None or _peeks(model, site):
            continue
        what = " and ".join(dict.fromkeys(_WAIT_WORDS[k] for k in kinds))
        yield Finding(
            "RST401", site.node,
            f"{who} waits for {what} while holding its key: every other exclusive call to this object key queues behind it for the whole wait. "
            "If nothing needs the key meanwhile, schedule the follow-up with a delayed send (`send_delay=`) or wait in a `kind=\"shared\"` handler; "
            "if holding it is the point (keeping calls in order, serialising behind a cleanup), keep the wait and suppress this with a reason "
            "(`# restate-lint: ignore[RST401] -- why`)",
        )  # fmt: skip


def _peeks(model: ModuleModel, site: Site) -> bool:
    """`await restate.select(new=fut, timeout=ctx.sleep(timedelta(0)))`: a race with a timer of no
    length ends at once with whatever is ready, so nothing is waited for while the key is held."""
    expr = site.node.expression
    if not (isinstance(expr, cst.Call) and model.resolve(expr.func, site.function) in _RACES):
        return False
    for arg in expr.args:
        timer = arg.value
        op = model.op_of(timer, site.function) if isinstance(timer, cst.Call) else None
        if op is not None and op.method == "sleep" and timer.args and _no_time(model, timer.args[0].value, site.function):
            return True
    return False


def _no_time(model: ModuleModel, expr: cst.BaseExpression, function) -> bool:
    """`timedelta()`, `timedelta(0)`, `timedelta(seconds=0)`, ...: literal zeros only."""
    if not (isinstance(expr, cst.Call) and model.resolve(expr.func, function) == "datetime.timedelta"):
        return False
    return all(not a.star and isinstance(a.value, (cst.Integer, cst.Float)) and a.value.evaluated_value == 0 for a in expr.args)


def _exclusive_waiter(model: ModuleModel, site: Site) -> Optional[str]:
    """Who holds an object key while this wait lasts: the exclusive handler it stands in, or the
    exclusive handlers calling the context helper it stands in."""
    root = site.function.durable_root()
    if root is None:
        return None
    handler = root.handler
    if handler is not None:
        return f"The exclusive handler `{handler.name or handler.function.name}`" if handler.is_virtual_object and handler.is_exclusive else None
    served = model.facts.handlers_of_helper(root.index) if model.facts is not None else ()
    exclusive = [label for label, service_kind, kind in served if service_kind == "object" and kind == sdk.EXCLUSIVE]
    if not exclusive:
        return None
    return f"`{root.name}`, a helper run by the exclusive handler{'s' if len(exclusive) > 1 else ''} {', '.join(f'`{e}`' for e in exclusive)},"


# -- RST404 ---------------------------------------------------------------------------------------
@check(RST404)
def sleep_then_send(model: ModuleModel, settings) -> Iterator[Finding]:
    for site in model.sites[cst.Await]:
        call = site.node.expression
        if not site.in_durable_code or not isinstance(site.parent, cst.Expr) or not isinstance(call, cst.Call):
            continue
        op = model.op_of(call, site.function)
        if op is None or op.method != "sleep" or not call.args:
            continue
        send = _next_send(model, site)
        if send is not None:
            yield Finding("RST404", site.node, _sleep_then_send_message(model, site, model.tree.code_for_node(call.args[0].value), *send))


def _sleep_then_send_message(model: ModuleModel, site: Site, delay: str, send: str, send_call: cst.Call) -> str:
    root = site.function.durable_root()
    handler = root.handler if root is not None else None
    holds = " while holding this object's key" if handler is not None and handler.is_virtual_object and handler.is_exclusive else ""
    send_site = next((s for s in site.function.calls if s.node is send_call), None)
    if send_site is None or not journals_later(model, send_site, site.function):
        return f"`await ctx.sleep({delay})` only delays the send that follows: pass `send_delay={delay}` to `{send}` instead, so the handler finishes now instead of waiting{holds}"
    return (
        f"`await ctx.sleep({delay})` delays the send that follows and the durable work after it; if only the send must wait, "
        f"pass `send_delay={delay}` to `{send}` instead: the rest then runs now, and the handler does not wait{holds}"
    )


def _next_send(model: ModuleModel, site: Site) -> Optional[tuple[str, cst.Call]]:
    """The one-way send (without `send_delay=`) made by the statement right after this one."""
    if len(site.ancestors) < 3:
        return None
    line, block = site.ancestors[-2], site.ancestors[-3]
    if not isinstance(line, cst.SimpleStatementLine) or len(line.body) != 1 or not isinstance(block, (cst.IndentedBlock, cst.Module)):
        return None
    position = next(i for i, s in enumerate(block.body) if s is line)
    if position + 1 >= len(block.body) or not isinstance(block.body[position + 1], cst.SimpleStatementLine):
        return None
    following = block.body[position + 1].body[0]
    value = following.value if isinstance(following, (cst.Expr, cst.Assign, cst.AnnAssign)) else None
    if not isinstance(value, cst.Call):
        return None
    op = model.op_of(value, site.function)
    if op is None or op.method not in sdk.SENDS or argument(value, sdk.SEND_DELAY_POSITION[op.method], "send_delay") is not None:
        return None
    return f"ctx.{op.method}(..)", value


# -- RST405 ---------------------------------------------------------------------------------------
@check(RST405)
def wait_without_timeout(model: ModuleModel, settings) -> Iterator[Finding]:
    for site, kinds in _durable_awaits(model):
        external = [k for k in kinds if k in _EXTERNAL]
        if not external:
            continue
        expr = site.node.expression
        raced = isinstance(expr, cst.Call) and model.resolve(expr.func, site.function) in _RACES and "sleep" in kinds
        if not raced:
            what = _EXTERNAL[external[0]]
            yield Finding("RST405", site.node, f"This awaits {what} with no timeout: if the other party never answers, the invocation waits forever. Race it with a timer: `restate.select(result=fut, timeout=ctx.sleep(..))`")
