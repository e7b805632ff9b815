"""RST209, RST702: invoking other handlers from durable code without (or on top of) the context's
own journaled, exactly-once calls."""

from __future__ import annotations

import re
from typing import Iterator, Optional

import libcst as cst

from restate_lint.diagnostics import Finding
from restate_lint.model import sdk
from restate_lint.model.module import CallSite, ModuleModel
from restate_lint.model.scope import Function
from restate_lint.model.services import argument
from restate_lint.rules.base import check
from restate_lint.registry import RULES

RST209 = RULES["RST209"]
RST702 = RULES["RST702"]

_CLIENTS = {"restate.create_client"}
_CLIENT_TYPES = {"restate.RestateClient"}

# HTTP libraries: module-level request functions and client constructors taking a base URL.
_HTTP_PREFIXES = ("requests.", "httpx.", "urllib.request.", "urllib3.", "aiohttp.")
_HTTP_VERBS = {"get", "post", "put", "patch", "delete", "request", "urlopen", "Request", "stream"}
_SESSION_VERBS = {"get", "post", "put", "patch", "delete", "request"}  # on a client object: `session.post(url)`
_HTTP_CLIENTS = {"httpx.Client", "httpx.AsyncClient", "aiohttp.ClientSession", "requests.Session"}

# What names the Restate ingress: its default port, or a host/variable called restate or ingress.
_INGRESS_TEXT = re.compile(r"restate|ingress|:8080\b", re.IGNORECASE)
_ADMIN_TEXT = re.compile(r"admin|:9070\b", re.IGNORECASE)  # the admin API is not an invocation


# -- RST209 ---------------------------------------------------------------------------------------
@check(RST209)
def ingress_client_in_handler(model: ModuleModel, settings) -> Iterator[Finding]:
    for site in model.calls:
        if not site.in_durable_code:
            continue
        what = _ingress_use(model, site)
        if what:
            yield Finding("RST209", site.node, f"{what} from durable code: this call is not journaled, so it is repeated on retries and replays, and waiting on it can deadlock this object's key. Call through the context instead (`ctx.service_call`, `ctx.object_send`, `ctx.generic_call`...)")


def _ingress_use(model: ModuleModel, site: CallSite) -> Optional[str]:
    call, function = site.node, site.function
    callee = model.callee_name(site) or ""
    if callee in _CLIENTS:
        return "`restate.create_client(..)` calls the Restate ingress"
    if isinstance(call.func, cst.Attribute) and _is_client_value(model, call.func.value, function):
        return f"The ingress client's `{call.func.attr.value}(..)` calls Restate"
    if callee in _HTTP_CLIENTS:
        base = argument(call, None, "base_url")
        if base is not None and _names_ingress(model, base.value, function):
            return f"An HTTP client (`{callee}`) aimed at the Restate ingress"
        return None
    verb = call.func.attr.value if isinstance(call.func, cst.Attribute) else callee.rpartition(".")[2]
    if callee.startswith(_HTTP_PREFIXES):
        if verb not in _HTTP_VERBS:
            return None
    elif verb not in _SESSION_VERBS or callee.startswith("restate."):
        return None
    url = argument(call, 1 if verb == "request" else 0, "url")
    if url is not None and _is_url(model, url.value) and _names_ingress(model, url.value, function) and not _ADMIN_TEXT.search(model.tree.code_for_node(url.value)):
        return "An HTTP request to the Restate ingress"
    return None


def _is_url(model: ModuleModel, expr: cst.BaseExpression) -> bool:
    """Looks like a URL rather than a dictionary key: `f"{BASE}/Svc/run/send"`, `"http://.."`, `INGRESS_URL`."""
    if isinstance(expr, (cst.Name, cst.Attribute)):
        return bool(re.search(r"url|ingress|endpoint", model.tree.code_for_node(expr), re.IGNORECASE))
    return "/" in model.tree.code_for_node(expr)


def _is_client_value(model: ModuleModel, expr: cst.BaseExpression, function: Optional[Function]) -> bool:
    """A parameter annotated `RestateClient` (a client made here is reported at `create_client`)."""
    scope, bindings = model.bindings_of(expr, function)
    for b in bindings:
        if b.kind == "param" and b.node.annotation is not None and model.resolve(b.node.annotation.annotation, scope.parent if scope else None) in _CLIENT_TYPES:
            return True
    return False


def _names_ingress(model: ModuleModel, expr: cst.BaseExpression, function: Optional[Function], depth: int = 0) -> bool:
    """The URL expression mentions the ingress: in its text, or through a module constant or a
    variable name (`f"{RESTATE_INGRESS_URL}/Svc/handler/send"`)."""
    if depth > 3:
        return False
    if isinstance(expr, (cst.SimpleString, cst.ConcatenatedString)):
        return bool(_INGRESS_TEXT.search(model.tree.code_for_node(expr)))
    if isinstance(expr, cst.FormattedString):
        return any(
            _INGRESS_TEXT.search(p.value) if isinstance(p, cst.FormattedStringText) else _names_ingress(model, p.expression, function, depth + 1)
            for p in expr.parts
        )  # fmt: skip
    if isinstance(expr, cst.BinaryOperation):
        return _names_ingress(model, expr.left, function, depth + 1) or _names_ingress(model, expr.right, function, depth + 1)
    if isinstance(expr, (cst.Name, cst.Attribute)):
        name = expr.value if isinstance(expr, cst.Name) else expr.attr.value
        if _INGRESS_TEXT.search(name):
            return True
        scope, bindings = model.bindings_of(expr, function)
        return len(bindings) == 1 and bindings[0].kind == "assign" and bindings[0].index is None and _names_ingress(model, bindings[0].node, scope, depth + 1)
    return False


# -- RST702 ---------------------------------------------------------------------------------------
@check(RST702)
def redundant_idempotency_key(model: ModuleModel, settings) -> Iterator[Finding]:
    for site in model.durable_ops():
        if not site.in_durable_code or (site.op.method not in sdk.REQUEST_RESPONSE_CALLS and site.op.method not in sdk.SENDS):
            continue
        key = argument(site.node, None, "idempotency_key")
        if key is None:
            continue
        call = f"ctx.{site.op.method}(..)"
        source = _input_source(model, key.value, site.function)
        if source is None:
            yield Finding("RST702", key, f"`idempotency_key=` on `{call}`: calls made by a handler are journaled and happen exactly once per invocation already. Drop it, unless you mean to deduplicate across different invocations")
        else:
            yield Finding(
                "RST702", key,
                f"`idempotency_key=` on `{call}` comes from the handler's input ({source}): within this invocation the call is journaled and sent once anyway, "
                f"so the key only deduplicates across invocations (two invocations with the same input run the target once). "
                f"If that is the intent, keep it with a reasoned suppression; otherwise drop it",
            )  # fmt: skip


_INPUT_OPS = {"request", "key"}


def _input_source(model: ModuleModel, expr: cst.BaseExpression, function: Optional[Function], depth: int = 0) -> Optional[str]:
    """What of the handler's input the key comes from (an argument, `ctx.request()`, the object
    key), if any: such a key may be a caller's key handed on, deduplicating across invocations."""
    if depth > 4 or function is None:
        return None
    for site in function.calls:
        if site.op is not None and site.op.method in _INPUT_OPS and (site.node is expr or expr in site.ancestors):
            return f"`ctx.{site.op.method}()`"
    names = [(expr, None)] if isinstance(expr, cst.Name) else [(name, inner) for name, inner, _ in model.loads(expr)]
    for name, inner in names:
        scope, bindings = model.bindings_of(name, inner or function)
        if len(bindings) != 1 or model.is_context_value(name, inner or function):
            continue
        binding = bindings[0]
        if binding.kind == "param":
            return f"`{name.value}`"
        found = _input_source(model, binding.node, scope, depth + 1) if binding.kind == "assign" and scope is not None else None
        if found is not None:
            return found
    return None
