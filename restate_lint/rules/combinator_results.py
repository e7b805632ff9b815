"""RST210: `restate.wait_completed(..)` returns (completed, uncompleted); unpacking it as
`pending, done = ..` swaps them (a narrow check on the names, seen in a real SDK example)."""

from __future__ import annotations

import re
from typing import Iterator, Optional

import libcst as cst

from restate_lint.diagnostics import Finding
from restate_lint.model.module import ModuleModel
from restate_lint.rules.base import check
from restate_lint.registry import RULES

RST210 = RULES["RST210"]

_WAIT_COMPLETED = "restate.wait_completed"
_PENDING = re.compile(r"pending|uncompleted|incomplete|unfinished|remaining|not_?done|waiting|outstanding", re.IGNORECASE)
_DONE = re.compile(r"^_*(done|completed?|finished|ready|resolved)", re.IGNORECASE)


@check(RST210)
def wait_completed_names_swapped(model: ModuleModel, settings) -> Iterator[Finding]:
    for site in model.sites[cst.Assign]:
        node = site.node
        value = node.value.expression if isinstance(node.value, cst.Await) else None
        if not isinstance(value, cst.Call) or model.resolve(value.func, site.function) != _WAIT_COMPLETED:
            continue
        names = _pair(node.targets[0].target) if len(node.targets) == 1 else None
        if names is None:
            continue
        first, second = names
        if _PENDING.search(first) or (_DONE.search(second) and not _DONE.search(first)):
            yield Finding(
                "RST210", node,
                f"`restate.wait_completed(..)` returns (completed, uncompleted): here `{first}` gets the completed futures and `{second}` "
                f"the ones still running. Swap the names: `{second}, {first} = await restate.wait_completed(..)`",
            )  # fmt: skip


def _pair(target: cst.BaseExpression) -> Optional[tuple[str, str]]:
    if isinstance(target, (cst.Tuple, cst.List)) and len(target.elements) == 2:
        names = [e.value.value for e in target.elements if isinstance(e, cst.Element) and isinstance(e.value, cst.Name)]
        if len(names) == 2:
            return names[0], names[1]
    return None
