"""RST306: `ctx.service_call`/`ctx.service_send` aimed at a handler of a virtual object or a
workflow: the SDK sends it without a key (the target is a project fact: the service graph)."""

from __future__ import annotations

from typing import Iterator

from restate_lint.diagnostics import Finding
from restate_lint.model.module import ModuleModel
from restate_lint.rules.base import check
from restate_lint.registry import RULES

RST306 = RULES["RST306"]

_KEYED = {"object": ("a virtual object", "object"), "workflow": ("a workflow", "workflow")}


@check(RST306)
def keyless_call_to_keyed_handler(model: ModuleModel, settings) -> Iterator[Finding]:
    for index, label, kind in model.facts.keyless_calls if model.facts is not None else ():
        site = model.calls[index]
        if site.op is None:
            continue
        what, prefix = _KEYED[kind]
        method = site.op.method
        keyed = f"ctx.{prefix}_{method.split('_', 1)[1]}"
        yield Finding(
            "RST306", site.node,
            f"`ctx.{method}(..)` targets `{label}`, a handler of {what}: the SDK sends it with no key, so it runs for the empty key `\"\"` "
            f"instead of the {prefix} you meant. Use `{keyed}(.., key=.., arg=..)`",
        )  # fmt: skip
