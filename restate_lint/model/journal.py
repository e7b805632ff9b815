"""Which code writes to the journal: the regions (statements, blocks, expressions) that contain a
journaled durable operation or a call handing the context to a helper (which may journal); and
where an invocation may stop, to be replayed: those, and awaits of durable futures."""

from __future__ import annotations

from typing import Optional

import libcst as cst

from restate_lint.model import sdk
from restate_lint.model.module import ModuleModel, Site
from restate_lint.model.scope import Function
from restate_lint.model.walk import contains

_EXITS = (cst.Return, cst.Raise, cst.Break, cst.Continue)
_COMPREHENSIONS = (cst.ListComp, cst.SetComp, cst.GeneratorExp, cst.DictComp)


def _journaling_nodes(model: ModuleModel) -> set[int]:
    key = ("journaling nodes", model)
    found = model.analyses.get(key)
    if found is None:
        found = model.analyses[key] = set()
        for site in model.calls:
            if site.op is not None:
                journals = site.op.method not in sdk.NOT_JOURNALED
            else:
                journals = site.function is not None and any(not a.star and model.is_context_value(a.value, site.function) for a in site.node.args)
            if journals:
                found.update(id(node) for node in site.ancestors)
                found.add(id(site.node))
    return found


def journals(model: ModuleModel, node: Optional[cst.CSTNode]) -> bool:
    """Does running `node` issue a durable operation?"""
    return node is not None and id(node) in _journaling_nodes(model)


def comprehension_journals(model: ModuleModel, site: Site) -> bool:
    """Does the comprehension a `for` clause (`site`) belongs to issue durable operations for
    each element it produces?"""
    comprehension = next((a for a in reversed(site.ancestors) if isinstance(a, _COMPREHENSIONS)), None)
    if comprehension is None:
        return False
    parts = (comprehension.key, comprehension.value) if isinstance(comprehension, cst.DictComp) else (comprehension.elt,)
    return any(journals(model, p) for p in parts)


def exits(node: cst.CSTNode) -> bool:
    """`node` contains a `return`, `raise`, `break` or `continue` of its own function."""
    return contains(node, _EXITS)


def journals_later(model: ModuleModel, site: Site, function: Optional[Function]) -> bool:
    """Is there a durable operation that may run after `site`'s statement in its function: in a
    later statement of an enclosing block, or in an enclosing loop (its next iteration)?"""
    return _later(model, site, function, "journaling", _journaling_nodes(model))


def _suspending_nodes(model: ModuleModel) -> set[int]:
    key = ("suspending nodes", model)
    found = model.analyses.get(key)
    if found is None:
        found = model.analyses[key] = set(_journaling_nodes(model))
        for site in model.sites[cst.Await]:
            if model.awaited_ops(site.node.expression, site.function):
                found.update(id(node) for node in site.ancestors)
                found.add(id(site.node))
    return found


def may_suspend(model: ModuleModel, node: Optional[cst.CSTNode]) -> bool:
    """Does running `node` issue a durable operation or await a durable future (`name, approval =
    ctx.awakeable()` before it, `await approval` in it)? Either is where an invocation may stop,
    to run again from the top: a replay of everything before it."""
    return node is not None and id(node) in _suspending_nodes(model)


def suspends_later(model: ModuleModel, site: Site, function: Optional[Function]) -> bool:
    """`journals_later`, counting awaits of durable futures made before the site too (`may_suspend`)."""
    return _later(model, site, function, "suspending", _suspending_nodes(model))


def _later(model: ModuleModel, site: Site, function: Optional[Function], kind: str, nodes: set[int]) -> bool:
    chain = [*site.ancestors, site.node]
    stop = function.node if function is not None else None
    for index in range(len(chain) - 2, -1, -1):
        node, child = chain[index], chain[index + 1]
        if node is stop:
            break
        if isinstance(node, (cst.For, cst.While)) and id(node) in nodes:
            return True
        body = getattr(node, "body", None)
        if isinstance(body, (list, tuple)) and _after(model, body, child, kind, nodes):
            return True
    return False


def _after(model: ModuleModel, body: tuple, child: cst.CSTNode, kind: str, nodes: set[int]) -> bool:
    """Is a statement of `body` after `child` one of `nodes`? Where each statement stands and the
    last one in `nodes` are found once per block: asked for every finding in a long block, a scan
    of the statements after it costs their square (generated code)."""
    blocks = model.analyses.setdefault(f"{kind} blocks", {})
    found = blocks.get(id(body))
    if found is None:
        places = {id(statement): i for i, statement in enumerate(body)}
        found = blocks[id(body)] = (places, max((i for i, statement in enumerate(body) if id(statement) in nodes), default=-1))
    places, last = found
    return id(child) in places and last > places[id(child)]
