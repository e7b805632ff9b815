"""RST701: values of `ctx.uuid()` / `ctx.random()` (predictable from the invocation) used as secrets."""

from __future__ import annotations

import re
from typing import Iterator, Optional

import libcst as cst

from restate_lint.diagnostics import Finding
from restate_lint.analysis.flow import Flow
from restate_lint.model.module import ModuleModel
from restate_lint.model.scope import Function
from restate_lint.model.services import argument
from restate_lint.rules.base import check
from restate_lint.registry import RULES

RST701 = RULES["RST701"]

# Where a value acts as key material: qualified name -> ((position, keyword), ...)
_SECRET_SINKS = {
    "hmac.new": ((0, "key"),),
    "hmac.HMAC": ((0, "key"),),
    "hmac.digest": ((0, "key"),),
    "hmac.compare_digest": ((0, "a"), (1, "b")),
    "secrets.compare_digest": ((0, "a"), (1, "b")),
    "hashlib.blake2b": ((None, "key"),),
    "hashlib.blake2s": ((None, "key"),),
    "hashlib.pbkdf2_hmac": ((1, "password"), (2, "salt")),
    "hashlib.scrypt": ((0, "password"), (None, "salt")),
    "jwt.encode": ((1, "key"),),
    "jose.jwt.encode": ((1, "key"),),
    "cryptography.fernet.Fernet": ((0, "key"),),
}
_DETERMINISTIC_SOURCES = {"uuid", "random"}

# Names that say "secret": whole words, `<kind>_key`, `<kind>_token`. Ids, references and
# idempotency or pagination tokens are not secrets (`idempotency_key = str(ctx.uuid())` is the
# documented idiom), and a bare `token` is as often an idempotency token as a credential.
_SECRET_WORDS = {"secret", "secrets", "password", "passwd", "passphrase", "jwt", "apikey", "otp"}
_SECRET_KEY_KINDS = {"api", "secret", "private", "signing", "sign", "encryption", "crypto", "access", "auth", "hmac", "session", "master", "client"}
_SECRET_TOKEN_KINDS = {
    "reset", "invite", "invitation", "session", "access", "auth", "refresh", "csrf", "api", "bearer", "verification",
    "verify", "confirm", "confirmation", "login", "magic", "signup", "unsubscribe", "activation", "share", "download",
}  # fmt: skip
_NOT_SECRET_WORDS = {"id", "ids", "ref", "idempotency", "page", "cursor", "next", "continuation", "correlation", "trace", "request"}


def is_secret_name(name: str) -> bool:
    words = [w.lower() for w in re.split(r"_+|(?<=[a-z0-9])(?=[A-Z])", name) if w]
    if not words or any(w in _NOT_SECRET_WORDS for w in words):
        return False
    if any(w in _SECRET_WORDS for w in words):
        return True
    if any(w in ("token", "tokens") for w in words) and any(w in _SECRET_TOKEN_KINDS for w in words):
        return True
    return any(a in _SECRET_KEY_KINDS and b == "key" for a, b in zip(words, words[1:]))


def _context_source(model: ModuleModel, call: cst.Call, function: Optional[Function]) -> Optional[str]:
    site = model.call_sites.get(call)
    if site is not None and site.op is not None and site.op.method in _DETERMINISTIC_SOURCES:
        return f"ctx.{site.op.method}()"
    return None


def _other_operations(model: ModuleModel, site) -> bool:
    """Durable operations other than uuid/random return journaled values, not these ones."""
    return site is not None and site.op is not None and site.op.method not in _DETERMINISTIC_SOURCES


def _flow(model: ModuleModel) -> Flow:
    key = "context id flow"
    if key not in model.analyses:
        model.analyses[key] = Flow(_context_source, barrier=_other_operations)
    return model.analyses[key]


@check(RST701)
def deterministic_id_as_secret(model: ModuleModel, settings) -> Iterator[Finding]:
    flow = _flow(model)
    for site in model.calls:
        if not site.in_durable_code:
            continue
        env = None
        for position, keyword in _SECRET_SINKS.get(model.callee_name(site) or "", ()):
            arg = argument(site.node, position, keyword)
            if arg is None:
                continue
            env = env if env is not None else flow.env_at(model, site.ancestors, site.function)
            source = flow.source(model, arg.value, site.function, env)
            if source:
                yield Finding("RST701", arg.value, f"This key material comes from `{source}`, {_WHY}")
        for arg in site.node.args:
            if arg.keyword is not None and is_secret_name(arg.keyword.value) and not _secret_variable(arg.value):
                source = flow.source(model, arg.value, site.function, flow.env_at(model, site.ancestors, site.function))
                if source:
                    yield Finding("RST701", arg.value, f"`{arg.keyword.value}` comes from `{source}`, {_WHY}")
    for kind in (cst.Assign, cst.AnnAssign):
        for site in model.sites[kind]:
            if not site.in_durable_code or site.node.value is None:
                continue
            targets = [t.target for t in site.node.targets] if kind is cst.Assign else [site.node.target]
            named = [t.value for t in targets if isinstance(t, cst.Name) and is_secret_name(t.value)]
            if named:
                source = flow.source(model, site.node.value, site.function, flow.env_at(model, site.ancestors, site.function))
                if source:
                    yield Finding("RST701", site.node, f"`{named[0]}` comes from `{source}`, {_WHY}")


def _secret_variable(expr: cst.BaseExpression) -> bool:
    """A variable whose own name says secret: reported where it is assigned."""
    return isinstance(expr, cst.Name) and is_secret_name(expr.value)


_WHY = (
    "which is deterministic by design: it is derived from the invocation and anyone who knows it can recompute the value. "
    "Generate secrets with `secrets` inside `ctx.run` (the result is journaled)"
)
