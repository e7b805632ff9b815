"""RST101, RST102, RST106: catalogued non-deterministic, I/O and native-concurrency APIs used
directly in durable code (outside run actions)."""

from __future__ import annotations

from typing import Iterator, Optional

import libcst as cst

from restate_lint.catalogue import CONCURRENCY, IO, NONDETERMINISTIC, Api
from restate_lint.diagnostics import Finding, Fix, NodeEdit
from restate_lint.analysis.effects import Effects
from restate_lint.analysis.summarise import site_index
from restate_lint.model.module import CallSite, ModuleModel, Site
from restate_lint.model.scope import Function
from restate_lint.model.services import argument
from restate_lint.rules.base import check
from restate_lint.rules.edits import reference
from restate_lint.registry import RULES

RST101 = RULES["RST101"]
RST102 = RULES["RST102"]
RST106 = RULES["RST106"]

_CODES = {NONDETERMINISTIC: "RST101", IO: "RST102", CONCURRENCY: "RST106"}

# (API name prefix, what is wrong and what to do), most specific first.
_ADVICE = (
    ("uuid.", "creates a new id on every replay: use `ctx.uuid()`, which is seeded by the invocation"),
    ("random.", "draws new values on every replay: use `ctx.random()`, which is seeded by the invocation"),
    ("asyncio.AbstractEventLoop.time", "reads the event loop's clock again on every replay: use `await ctx.time()` (journaled), or read it inside `ctx.run`"),
    ("time.", "reads the clock again on every replay: use `await ctx.time()` (journaled), or read it inside `ctx.run`"),
    ("datetime.", "reads the clock again on every replay: build it from `await ctx.time()` (journaled), or read it inside `ctx.run`"),
    ("secrets.", "is different on every replay: generate it inside `ctx.run` so that it is journaled"),
    ("os.urandom", "is different on every replay: generate it inside `ctx.run` so that it is journaled"),
    ("os.getrandom", "is different on every replay: generate it inside `ctx.run` so that it is journaled"),
    ("", "can differ between replays and between service instances: read it at import time, or inside `ctx.run` so that it is journaled"),
)
_CONCURRENCY_ADVICE = (
    ("asyncio.sleep", "is not durable and keeps the invocation from suspending: use `await ctx.sleep(timedelta(..))`"),
    ("time.sleep", "blocks the event loop of every invocation in the process: use `await ctx.sleep(timedelta(..))`"),
    ("asyncio.gather", "mixes native tasks into the invocation: use `restate.gather(..)` on durable futures"),
    ("asyncio.wait_for", "is a native timeout, not durable: race the operation with `ctx.sleep(..)` in `restate.select(..)`"),
    ("asyncio.timeout", "is a native timeout, not durable: race the operation with `ctx.sleep(..)` in `restate.select(..)`"),
    ("asyncio.wait", "mixes native tasks into the invocation: use `restate.wait_completed(..)` on durable futures"),
    ("asyncio.as_completed", "mixes native tasks into the invocation: use `restate.as_completed(..)` on durable futures"),
    ("asyncio.", "starts native tasks that keep running when the invocation suspends (error 598): combine durable futures with `restate.gather`/`restate.select` instead"),
    ("", "starts threads or processes that are not journaled and outlive suspensions: do this work inside `ctx.run`"),
)


def _advice(api: Api) -> str:
    table = _CONCURRENCY_ADVICE if api.kind == CONCURRENCY else _ADVICE
    return next(text for prefix, text in table if api.name.startswith(prefix))


def message(api: Api, written: str, is_call: bool) -> str:
    shown = f"`{written}(..)`" if is_call else f"`{written}`"
    if written != api.display:
        shown += f" (`{api.display}`)"
    if api.kind == IO:
        return f"{shown} does I/O outside a run action: it runs again on every replay and its result is not journaled. Move it into `ctx.run_typed(..)`"
    return f"{shown} {_advice(api)}"


@check(RST101, RST102, RST106)
def catalogued_apis_in_durable_code(model: ModuleModel, settings) -> Iterator[Finding]:
    effects = Effects.of(model, settings)
    sites = (s for s in (*model.calls, *model.sites[cst.Subscript]) if s.in_durable_code)
    for site, api in effects.in_sites(model, sites):
        code = _CODES[api.kind]
        is_call = isinstance(site, CallSite)
        anchor = site.node if is_call else site.node.value
        written = model.tree.code_for_node(site.node.func if is_call else anchor)
        yield Finding(code, anchor, message(api, written, is_call), _fix(model, site, api) if is_call else None)


# -- fixes ---------------------------------------------------------------------------------------
# Methods of `random.Random`, which `ctx.random()` returns.
_RANDOM_METHODS = frozenset({
    "random", "randint", "randrange", "randbytes", "getrandbits", "choice", "choices", "sample", "shuffle",
    "uniform", "triangular", "gauss", "normalvariate", "lognormvariate", "expovariate", "vonmisesvariate",
    "gammavariate", "betavariate", "paretovariate", "weibullvariate", "binomialvariate",
})  # fmt: skip
_CLOCK_TO_TIMESTAMP = {"datetime.datetime.now", "datetime.datetime.today", "datetime.date.today"}
# I/O whose result is plain data, so that a run action can journal it as JSON.
_PLAIN_RESULT_IO = frozenset({
    *(f"pathlib.Path.{m}" for m in ("read_text", "write_text", "write_bytes", "exists", "is_file", "is_dir", "mkdir",
                                    "rmdir", "unlink", "touch")),
    "shutil.copy", "shutil.copy2", "shutil.copyfile", "shutil.move", "shutil.rmtree", "tempfile.mkdtemp",
})  # fmt: skip


def _fix(model: ModuleModel, site: CallSite, api: Api) -> Optional[Fix]:
    ctx = model.context_in_scope(site.function)
    if ctx is None:
        return None
    call, code = site.node, model.tree.code_for_node
    name, func = api.name, site.node.func
    if name == "uuid.uuid4" and not call.args:
        return _draw_fix(model, site, f"Use `{ctx}.uuid()`", NodeEdit(call, f"{ctx}.uuid()"))
    if name.startswith("random.") and name.split(".", 1)[1] in _RANDOM_METHODS:
        return _draw_fix(model, site, f"Use `{ctx}.random()`", NodeEdit(func, f"{ctx}.random().{name.split('.', 1)[1]}"))
    if not _may_await(site):
        return None
    if name == "time.time" and not call.args:
        return Fix("unsafe", f"Use `await {ctx}.time()`", [NodeEdit(call, _wrap(site, f"await {ctx}.time()"))])
    if name in _CLOCK_TO_TIMESTAMP and isinstance(func, cst.Attribute) and not any(a.star for a in call.args):
        args = "".join(f", {a.keyword.value}={code(a.value)}" if a.keyword else f", {code(a.value)}" for a in call.args)
        return Fix("unsafe", "Build it from `await ctx.time()`", [NodeEdit(call, f"{code(func.value)}.fromtimestamp(await {ctx}.time(){args})")])
    if name in _PLAIN_RESULT_IO and not _uses_context(model, site):
        return Fix("unsafe", "Run it in `ctx.run_typed(..)`", [NodeEdit(call, _wrap(site, f'await {ctx}.run_typed("{name.rsplit(".", 1)[1]}", lambda: {code(call)})'))])
    if name == "asyncio.sleep":
        return _durable_sleep(model, site, ctx)
    if name == "asyncio.gather":
        return _restate_gather(model, site)
    return None


_DRAWS = frozenset({"uuid", "random"})
_LOOPS = (cst.For, cst.While, cst.ListComp, cst.SetComp, cst.DictComp, cst.GeneratorExp)


def _draw_fix(model: ModuleModel, site: CallSite, message: str, edit: NodeEdit) -> Fix:
    """`ctx.uuid()` and `ctx.random()` draw from one generator seeded by the invocation: a new
    draw shifts every draw after it, and a shifted value that reaches the journal makes in-flight
    invocations fail replay (570). Safe only when no draw can follow this one."""
    if _draw_may_follow(model, site):
        return Fix("unsafe", f"{message} (unsafe: the `ctx.uuid()`/`ctx.random()` draws that may follow would get other values than in-flight invocations journaled)", [edit])
    return Fix("safe", message, [edit])


def _draw_may_follow(model: ModuleModel, site: CallSite) -> bool:
    """Can a draw from the invocation's generator run after this call? Conservative: a helper's
    callers may draw after calling it; a nested def or a stored lambda may run at any time; a
    context handed to a helper may draw there; a `ctx.random()` kept in a variable draws wherever
    it is used. A lambda around the call (`key=lambda _: random.random()`) runs where it stands,
    maybe many times, like a loop."""
    root, lambdas = site.function, []
    while root is not None and root.is_lambda and not root.is_action:
        lambdas.append(root)
        root = root.parent
    if root is None or root.handler is None:
        return True
    others, last = _draws_and_hand_offs(model, root)
    here = site_index(model, site)
    if last > here:
        return True  # one stands later in the handler's code
    loops = [n for n in site.ancestors if isinstance(n, _LOOPS)] + [f.node for f in lambdas]
    for other, current, is_draw in others:
        if other is site:
            continue
        kept = is_draw and other.op.method == "random" and not isinstance(other.parent, cst.Attribute)
        elsewhere = current is not root and current not in lambdas
        if elsewhere or kept or other.node in site.ancestors or any(loop in other.ancestors for loop in loops):
            return True
    return False


def _draws_and_hand_offs(model: ModuleModel, root: Function) -> tuple[list[tuple[CallSite, Function, bool]], int]:
    """The calls in a handler and the functions it defines (run actions apart) that draw from the
    invocation's generator or hand the context on, each with its function and whether it draws;
    and where the last of them stands among the module's calls. Once per handler: asked for every
    draw in it, a walk over its calls each time costs their square (a generated handler)."""
    key = ("draws and hand-offs", root.index)
    found = model.analyses.get(key)
    if found is None:
        others = []
        pending = [root]
        while pending:
            current = pending.pop()
            pending.extend(child for child in current.children if not child.is_action)
            for other in current.calls:
                is_draw = other.op is not None and other.op.method in _DRAWS
                if is_draw or (other.op is None and any(model.is_context_value(arg.value, current) for arg in other.node.args)):
                    others.append((other, current, is_draw))
        found = model.analyses[key] = (others, max((site_index(model, other) for other, _, _ in others), default=-1))
    return found


def _may_await(site: CallSite) -> bool:
    """`await` may be written where the call stands: in an `async def`, not in a lambda, and not in
    a generator expression (which `await` would turn into an async generator)."""
    if site.function is None or not site.function.is_async:
        return False
    inside = site.ancestors[site.ancestors.index(site.function.node) + 1 :] if site.function.node in site.ancestors else site.ancestors
    return not any(isinstance(node, cst.GeneratorExp) for node in inside)


def _wrap(site: Site, text: str) -> str:
    """Parenthesise a replacement that starts with `await` where the call was a primary."""
    parent = site.parent
    needs = isinstance(parent, (cst.Attribute, cst.Subscript)) and parent.value is site.node or isinstance(parent, cst.Call) and parent.func is site.node
    return f"({text})" if needs else text


def _uses_context(model: ModuleModel, site: CallSite) -> bool:
    return any(model.is_context_value(name, inner or site.function) for name, inner, _ in model.loads(site.node))


def _durable_sleep(model: ModuleModel, site: CallSite, ctx: str) -> Optional[Fix]:
    """`await asyncio.sleep(s)` -> `await ctx.sleep(timedelta(seconds=s))`: adds a timer to the journal."""
    delay = argument(site.node, 0, "delay")
    if not site.awaited or delay is None or len(site.node.args) != 1:
        return None
    timedelta = reference(model, "datetime.timedelta", site.function)
    if timedelta is None:
        return None
    text, imports = timedelta
    seconds = model.tree.code_for_node(delay.value)
    return Fix("unsafe", f"Use `{ctx}.sleep(..)`", [NodeEdit(site.node, f"{ctx}.sleep({text}(seconds={seconds}))"), *imports])


def _restate_gather(model: ModuleModel, site: CallSite) -> Optional[Fix]:
    """`await asyncio.gather(a, b)` -> `[await f for f in await restate.gather(a, b)]`, when every
    argument is a durable operation: the same operations, created in the same order."""
    args = site.node.args
    if not site.awaited or not args or any(a.star or a.keyword is not None for a in args):
        return None
    for arg in args:
        op = model.future_op(arg.value, site.function)
        if op is None or not op.spec.awaitable:
            return None
    gather = reference(model, "restate.gather", site.function)
    if gather is None:
        return None
    text, imports = gather
    edits = [NodeEdit(site.parent, "[await f for f in ", "before"), NodeEdit(site.node.func, text), NodeEdit(site.parent, "]", "after")]
    return Fix("safe", "Use `restate.gather(..)`", [*edits, *imports])
