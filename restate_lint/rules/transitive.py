"""RST107: durable code calling a project function that reaches a catalogued API."""

from __future__ import annotations

from typing import Iterator, Optional

import libcst as cst

from restate_lint.analysis.calls import called_params
from restate_lint.analysis.effects import Effects, function_sites
from restate_lint.catalogue import CONCURRENCY, IO, Api, catalogue_for
from restate_lint.diagnostics import Finding
from restate_lint.model.facts import CALLS_PARAMETER, ForeignFunction
from restate_lint.model.module import CallSite, ModuleModel
from restate_lint.rules.base import check
from restate_lint.registry import RULES

RST107 = RULES["RST107"]

_WHAT = {IO: "does I/O", CONCURRENCY: "uses native concurrency"}


@check(RST107)
def transitive_nondeterminism(model: ModuleModel, settings) -> Iterator[Finding]:
    """What a called function reaches is a project fact (the chain may cross modules): the link
    stage found it for every call of this module; durable code is checked where it stands."""
    for index, reached in model.facts.reached if model.facts is not None else ():
        site = model.calls[index]
        if not site.in_durable_code:
            continue
        finding = _finding(model, site, reached.callee, reached.chain, reached.api, reached.kind)
        finding.related = tuple(_steps_here(model, settings, reached))
        yield finding
    yield from _callables_handed_on(model, settings)


def _steps_here(model: ModuleModel, settings, reached) -> Iterator[tuple[cst.CSTNode, str]]:
    """The chain's steps in this module, where each function calls the next one (or the API).
    Steps in other modules have no position here (summaries carry none)."""
    functions = (reached.callee, *reached.chain[:-1])
    for (module, index, call), name, onward in zip(reached.steps, functions, reached.chain):
        if module != model.name:
            continue
        if call >= 0:
            yield model.calls[call].node, f"`{name}` calls `{onward}(..)` here"
            continue
        if call == CALLS_PARAMETER:
            param = onward.removesuffix("()")
            yield from ((s.node, f"`{name}` calls what it was handed (as `{param}`) here") for s in model.functions[index].calls if _calls_name(s.node, param))
            continue
        found = Effects.of(model, settings).heaviest(model, function_sites(model, model.functions[index]))
        if found is not None:
            yield found[0].node, f"`{name}` reaches `{onward}` here"


def _finding(model: ModuleModel, site: CallSite, callee: str, chain: tuple, api: str, kind: str) -> Finding:
    caller = site.function.durable_root() or site.function
    path = " -> ".join((caller.name, callee, *chain))
    what = _WHAT.get(kind, "is not deterministic")
    return Finding(
        "RST107", site.node,
        f"`{model.tree.code_for_node(site.node.func)}(..)` reaches `{api}`, which {what}, outside a run action ({path}): "
        f"it runs again on every replay. Call it inside `ctx.run_typed(..)`, or pass the value in from `ctx`",
    )  # fmt: skip


def _callables_handed_on(model: ModuleModel, settings) -> Iterator[Finding]:
    """A catalogued API handed to a plain project helper that calls it (`with_retry(requests.get,
    url)`): the helper runs it outside any run action. (A project function handed on is the link
    stage's: what it reaches is a project fact.)"""
    catalogue = catalogue_for(settings)
    reported = {index for index, _ in model.facts.reached} if model.facts is not None else set()
    for index, site in enumerate(model.calls):
        if index in reported or not site.in_durable_code or site.op is not None:
            continue
        helper = model.action_function(site.node.func, site.function) if isinstance(site.node.func, (cst.Name, cst.Attribute)) else None
        if helper is None or helper.is_durable or helper.is_lambda:
            continue
        foreign = isinstance(helper, ForeignFunction)
        shown = _foreign_display(model.resolve(site.node.func, site.function), helper.qualname) if foreign else helper.name
        for position, param in helper.called_params if foreign else called_params(helper):
            arg = _argument_for(site.node, position, param)
            if arg is None or not isinstance(arg, (cst.Name, cst.Attribute)):
                continue
            qualname = model.resolve(arg, site.function)
            kind = catalogue.kind_of(qualname)
            if kind is not None:
                api = Api(qualname, kind)
                finding = _finding(model, site, shown, (f"{param}()", api.display), api.display, kind)
                if not foreign:
                    finding.related = tuple((s.node, f"`{helper.name}` calls the `{api.display}` handed to it (as `{param}`) here") for s in helper.calls if _calls_name(s.node, param))
                yield finding
                break


def _foreign_display(resolved: Optional[str], qualname: str) -> str:
    """A function of another module as chains show it: prefixed with its module's last name."""
    module = resolved[: -len(qualname) - 1] if resolved and resolved.endswith(f".{qualname}") else ""
    return f"{module.rsplit('.', 1)[-1]}.{qualname}" if module else qualname


def _calls_name(call: cst.Call, name: str) -> bool:
    return isinstance(call.func, cst.Name) and call.func.value == name


def _argument_for(call: cst.Call, position: int, keyword: str) -> Optional[cst.BaseExpression]:
    for i, arg in enumerate(call.args):
        if arg.star:
            return None
        if arg.keyword is not None:
            if arg.keyword.value == keyword:
                return arg.value
        elif i == position:
            return arg.value
    return None
