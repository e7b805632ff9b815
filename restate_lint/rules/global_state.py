"""RST105: durable code mutating module-level state, or branching on state that durable code mutates."""

from __future__ import annotations

from typing import Iterator, Optional

import libcst as cst

from restate_lint.analysis.module_state import mutations, stateful_functions
from restate_lint.diagnostics import Finding
from restate_lint.model.facts import ForeignFunction
from restate_lint.model.module import ModuleModel
from restate_lint.model.scope import Function
from restate_lint.rules.base import check, one_per_cause
from restate_lint.registry import RULES

RST105 = RULES["RST105"]


@check(RST105)
def mutable_global_state(model: ModuleModel, settings) -> Iterator[Finding]:
    yield from one_per_cause(model, _findings(model), "also uses it on")


def _findings(model: ModuleModel) -> Iterator[tuple[tuple, Finding]]:
    """Mutations and branches, each with its cause: the module-level name, in one function."""
    mutated: set[str] = set()
    for site, target, name in mutations(model):
        mutated.add(name)
        yield (site.function, name), Finding(
            "RST105", site.node,
            f"`{model.tree.code_for_node(target)}` is module-level state mutated from durable code: every replay repeats the change, "
            f"and each service instance has its own copy. Keep it in Restate state (`ctx.get`/`ctx.set`)",
        )  # fmt: skip
    stateful = stateful_functions(model)
    if not mutated and not stateful and not _foreign_stateful(model):
        return
    for kind, what in ((cst.If, "test"), (cst.While, "test"), (cst.IfExp, "test"), (cst.Match, "subject")):
        for site in model.sites[kind]:
            if not site.in_durable_code:
                continue
            condition = getattr(site.node, what)
            helper = _calls_stateful_helper(model, condition, site.function, stateful)
            if helper is not None:
                function, name = helper
                yield (site.function, name), Finding(
                    "RST105", condition,
                    f"This branch decides on `{function.name}(..)`, which reads and changes the module-level `{name}`: the answer depends on "
                    f"what this process did before, so a replay in another process (or after a restart) can take another path. "
                    f"Keep that state in Restate (`ctx.get`/`ctx.set`)",
                )  # fmt: skip
                continue
            name = _reads_state(model, condition, site.function, mutated)
            if name:
                yield (site.function, name), Finding(
                    "RST105", condition,
                    f"This branch reads `{name}`, module-level state that durable code mutates: it differs between replays and "
                    f"between service instances, so a replay can take another path. Keep it in Restate state (`ctx.get`/`ctx.set`)",
                )  # fmt: skip


def _calls_stateful_helper(model: ModuleModel, condition: cst.BaseExpression, function: Optional[Function], stateful: dict):
    """(helper, name) when the condition calls a plain project function (of this module, or of
    another by its summary) that mutates module state."""
    for site in function.calls if function is not None else ():
        if site.node is condition or condition in site.ancestors:
            callee = model.action_function(site.node.func, function) if isinstance(site.node.func, (cst.Name, cst.Attribute)) else None
            if callee in stateful:
                return callee, stateful[callee]
            if isinstance(callee, ForeignFunction) and callee.mutates and not callee.is_durable:
                return callee, callee.mutates
    return None


def _foreign_stateful(model: ModuleModel) -> bool:
    return model.facts is not None and any(f.mutates and not f.is_durable for _, f in model.facts.functions)


def _reads_state(model: ModuleModel, condition: cst.BaseExpression, function: Optional[Function], mutated: set[str]) -> Optional[str]:
    for name, inner, _ in model.loads(condition):
        if name.value in mutated and model.scope_of(name.value, inner or function) is None:
            return name.value
    return None
