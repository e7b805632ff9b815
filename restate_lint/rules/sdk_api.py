"""RST212-RST213: the SDK's API as the target restate-sdk version has it (sdk_surface.py's table).

A name the target version lacks fails when the line runs (`AttributeError`; `ImportError` for an
import, so at module level the service never starts); a call its signature rejects raises
`TypeError` on every attempt. The message says which versions have the name or accept the call.
References inside a `try` whose handlers catch the error are the code's own version guard, and
the SDK's own modules are not checked against a release of themselves.
"""

from __future__ import annotations

import re
from typing import Iterator, Optional

import libcst as cst

from restate_lint.diagnostics import Finding
from restate_lint.model.module import CallSite, ModuleModel, _dotted
from restate_lint.model.scope import Function
from restate_lint.model.walk import Walker
from restate_lint.registry import RULES
from restate_lint.rules.base import check
from restate_lint.sdk_surface import Found, Missing, Surface, Table, minor, show, table
from restate_lint.sdk_version import target_sdk_version

RST212 = RULES["RST212"]
RST213 = RULES["RST213"]

# What a `try` must catch to be a version guard: the very error (a catch-all around durable code
# is error handling, not a guard, and the missing name still breaks what it was written for).
_IMPORT_GUARDS = {"builtins.ImportError", "builtins.ModuleNotFoundError"}
_ATTRIBUTE_GUARDS = {"builtins.AttributeError"}
_CALL_GUARDS = {"builtins.TypeError"}

# The classes whose `handler()` / `main()` decorate a service's handlers.
_SERVICE_CLASSES = {"service": "restate.service.Service", "object": "restate.object.VirtualObject", "workflow": "restate.workflow.Workflow"}

# What to use where a name is gone, when the target version has it.
_INSTEAD = {"SuspendedException": ("restate.is_internal_exception", "test `restate.is_internal_exception(e)` instead")}


@check(RST212, RST213)
def sdk_api(model: ModuleModel, settings) -> Iterator[Finding]:
    if "restate" in model.name.split("."):
        return  # the SDK's own source (in whatever layout: `python/restate/vm.py`)
    target = target_sdk_version(settings)
    surface = table().at(target)
    if surface is None:
        return  # older than the table: nothing is known
    where = _target_text(target, surface)
    references = _References(model)
    if _may_lack_a_name(model, surface):
        references.walk(model.tree)
    for node, dotted, guards, at_module_level in references.found:
        if not _guarded(model, references.ancestors_of[id(node)], guards):
            failure = "`ImportError`" if guards is _IMPORT_GUARDS else "`AttributeError`"
            yield from _unknown_name(surface, node, dotted, where, _when(failure, at_module_level))
    for site in model.calls:
        yield from _call(model, surface, site, where)


def _may_lack_a_name(model: ModuleModel, surface: Surface) -> bool:
    """A cheap look at the text before the walk that finds references with their scopes: does some
    dotted name from an SDK import (`restate.x.y`, `rs.vm.X` after `import restate as rs`, an
    imported name itself) miss in the target? Matches in strings or comments only cost the walk."""
    imported: dict[str, set[str]] = {}
    for bindings in [model.bindings, *(f.bindings for f in model.functions)]:
        for name, found in bindings.items():
            for b in found:
                if b.kind == "import" and b.qualname and (b.qualname == "restate" or b.qualname.startswith("restate.")):
                    imported.setdefault(name, set()).add(b.qualname)
    if not imported:
        return False
    dotted = {q for qualnames in imported.values() for q in qualnames}
    dotted |= {m.group(0) for m in _SDK_PATH.finditer(model.source.text)}  # `import restate.x`, `from restate.x import`
    pattern = re.compile(r"\b(" + "|".join(map(re.escape, imported)) + r")((?:\s*\.\s*\w+)+)")
    for m in pattern.finditer(model.source.text):
        attrs = re.sub(r"\s+", "", m.group(2))
        dotted |= {q + attrs for q in imported[m.group(1)]}
    return any(isinstance(surface.lookup(d), Missing) for d in dotted)


_SDK_PATH = re.compile(r"\brestate(?:\.\w+)+")


def _target_text(target, surface: Surface) -> str:
    if target is None:
        return f"restate-sdk {show(surface.version)} (the newest; the project pins no version)"
    return f"restate-sdk {show(target)} (the version the project targets)"


# -- references -------------------------------------------------------------------------------------
class _References(Walker):
    """Imports from the SDK and dotted references into it (`restate.vm.SuspendedException`), each
    with the node to report and the exceptions that would guard it. Code that never runs is left
    out: `if TYPE_CHECKING:` blocks, and annotations under `from __future__ import annotations`."""

    def __init__(self, model: ModuleModel):
        self.model = model
        self.lazy_annotations = any(b.kind == "import" and b.qualname == "__future__.annotations" for b in model.bindings.get("annotations", ()))
        self.functions: list[Function] = []
        self.parents: list[cst.CSTNode] = []
        self.found: list[tuple[cst.CSTNode, str, set, bool]] = []  # node, dotted name, guards, at module level
        self.ancestors_of: dict[int, tuple] = {}

    def enter(self, node: cst.CSTNode) -> bool:
        function = self.model.function_by_node.get(node)
        if function is not None:
            self.functions.append(function)
        self.parents.append(node)
        return True

    def exit(self, node: cst.CSTNode) -> None:
        self.parents.pop()
        if self.model.function_by_node.get(node) is not None:
            self.functions.pop()

    def _add(self, node: cst.CSTNode, dotted: str, guards: set) -> None:
        self.found.append((node, dotted, guards, not self.functions))
        self.ancestors_of[id(node)] = tuple(self.parents[:-1])

    def visit_If(self, node: cst.If) -> bool:
        if self.model.resolve(node.test, self.functions[-1] if self.functions else None) != "typing.TYPE_CHECKING":
            return True
        if node.orelse is not None:
            self.walk(node.orelse)
        return False

    def visit_Annotation(self, node: cst.Annotation) -> bool:
        return not self.lazy_annotations

    def visit_Import(self, node: cst.Import) -> bool:
        for alias in node.names:
            dotted = _dotted(alias.name)
            if dotted == "restate" or dotted.startswith("restate."):
                self._add(alias, dotted, _IMPORT_GUARDS)
        return False

    def visit_ImportFrom(self, node: cst.ImportFrom) -> bool:
        module = _dotted(node.module) if node.module is not None else ""
        if node.relative or not (module == "restate" or module.startswith("restate.")):
            return False
        if isinstance(node.names, cst.ImportStar):
            self._add(node.module, module, _IMPORT_GUARDS)
        else:
            for alias in node.names:
                self._add(alias, f"{module}.{_dotted(alias.name)}", _IMPORT_GUARDS)
        return False

    def visit_Attribute(self, node: cst.Attribute) -> bool:
        parts: list[str] = []
        head: cst.BaseExpression = node
        while isinstance(head, cst.Attribute):
            parts.append(head.attr.value)
            head = head.value
        if not isinstance(head, cst.Name):
            return True  # `f().x`: the names inside may still be references
        base = _imported_as(self.model, head, self.functions[-1] if self.functions else None)
        if base is not None:
            self._add(node, ".".join([base, *reversed(parts)]), _ATTRIBUTE_GUARDS)
        return False


def _imported_as(model: ModuleModel, name: cst.Name, function: Optional[Function]) -> Optional[str]:
    """The SDK name an imported name stands for, as written (not the canonical public name: a
    version may lack the one and have the other)."""
    _, bindings = model.bindings_of(name, function)
    imported = {b.qualname for b in bindings if b.kind == "import"}
    if len(imported) != 1 or len(bindings) != len([b for b in bindings if b.kind == "import"]):
        return None
    qualname = imported.pop()
    return qualname if qualname == "restate" or qualname.startswith("restate.") else None


def _guarded(model: ModuleModel, ancestors: tuple, guards: set) -> bool:
    """Inside the body of a `try` one of whose handlers catches one of `guards`."""
    for i, node in enumerate(ancestors[:-1]):
        if isinstance(node, cst.Try) and ancestors[i + 1] is node.body:
            for handler in node.handlers:
                if handler.type is None:
                    continue
                types = [e.value for e in handler.type.elements] if isinstance(handler.type, cst.Tuple) else [handler.type]
                if any(model.resolve(t, None) in guards for t in types):
                    return True
    return False


def _when(failure: str, at_module_level: bool) -> str:
    if at_module_level:
        return f"{failure} when the module is imported: the service does not start"
    return f"{failure} on every attempt that reaches this line"


def _unknown_name(surface: Surface, node: cst.CSTNode, dotted: str, where: str, failure: str) -> Iterator[Finding]:
    parts = dotted.split(".")
    for length in range(2, len(parts) + 1):  # the first part that is missing: the rest follows from it
        prefix = ".".join(parts[:length])
        found = surface.lookup(prefix)
        if found is None:
            return
        if isinstance(found, Missing):
            yield Finding("RST212", _node_for(node, len(parts) - length), _missing_message(surface, prefix, where, failure))
            return


def _node_for(node: cst.CSTNode, outer: int) -> cst.CSTNode:
    """The sub-attribute `outer` levels inside an attribute chain (the chain itself when 0)."""
    for _ in range(outer):
        if not isinstance(node, cst.Attribute):
            break
        node = node.value
    return node


def _missing_message(surface: Surface, dotted: str, where: str, failure: str) -> str:
    name = dotted.rpartition(".")[2]
    history = _availability(surface.table, lambda s: isinstance(s.lookup(dotted), Found))
    message = f"`{dotted}` does not exist in {where}; {history}: {failure}"
    instead = _INSTEAD.get(name)
    if instead is not None and surface.has(instead[0]):
        message += f"; {instead[1]}"
    return message


def _availability(t: Table, test) -> str:
    present = [s.index for s in t.surfaces() if test(s)]
    return f"it exists {t.availability(present)}" if present else f"no restate-sdk version from {minor(t.versions[0])} to {minor(t.newest)} has it"


# -- calls ------------------------------------------------------------------------------------------
def _call(model: ModuleModel, surface: Surface, site: CallSite, where: str) -> Iterator[Finding]:
    callee = _callee(model, site)
    if callee is None:
        return
    shown, describe = callee
    description = describe(surface)
    if description is None:
        if shown.startswith("ctx.") and not _guarded(model, site.ancestors, _ATTRIBUTE_GUARDS):
            history = _availability(surface.table, lambda s: describe(s) is not None)
            yield Finding("RST212", site.node.func, f"`{shown}(..)` does not exist on the context in {where}; {history}: {_when('`AttributeError`', False)}")
        return
    signature = description.get("sig")
    problem = _rejected(signature, site.node) if signature is not None else None
    if problem is None or _guarded(model, site.ancestors, _CALL_GUARDS):
        return
    node, text = problem
    accepted = [s.index for s in surface.table.surfaces() if (d := describe(s)) is not None and "sig" in d and _rejected(d["sig"], site.node) is None]
    history = f"; these arguments are accepted {surface.table.availability(accepted)}" if accepted else ""
    yield Finding("RST213", node, f"In {where}, `{shown}(..)` {text}{history}: {_when('`TypeError`', site.function is None)}")


def _callee(model: ModuleModel, site: CallSite):
    """(how to show the callee, surface -> its description or None) for a call of a context method,
    a service's handler decorator, or an SDK class or function; None for other calls."""
    func = site.node.func
    if isinstance(func, cst.Attribute) and not func.attr.value.startswith("_") and model.is_context_value(func.value, site.function):
        method = func.attr.value
        return f"ctx.{method}", lambda s: s.context_method(method)
    if isinstance(func, cst.Attribute) and func.attr.value in ("handler", "main"):
        service = model.service_of(func.value, site.function)
        if service is not None:
            member = f"{_SERVICE_CLASSES[service.kind]}.{func.attr.value}"
            return f"{model.tree.code_for_node(func.value)}.{func.attr.value}", lambda s: s.describe(member)
    if not isinstance(func, (cst.Name, cst.Attribute)):
        return None
    parts: list[str] = []
    head: cst.BaseExpression = func
    while isinstance(head, cst.Attribute):
        parts.append(head.attr.value)
        head = head.value
    base = _imported_as(model, head, site.function) if isinstance(head, cst.Name) else None
    if base is None:
        return None
    dotted = ".".join([base, *reversed(parts)])

    def describe(s: Surface) -> Optional[dict]:
        found = s.lookup(dotted)
        return found.description if isinstance(found, Found) else None

    return dotted, describe


def _rejected(signature: list, call: cst.Call) -> Optional[tuple[cst.CSTNode, str]]:
    """Why Python would reject these arguments for this signature ([name, kind, default?]), with the
    argument to report; None when it accepts them (or cannot tell: `*args`/`**kwargs` passed)."""
    positional = [p for p in signature if p[1] in ("p", "a")]
    by_name = {p[0]: p for p in signature}
    var_positional = any(p[1] == "*" for p in signature)
    var_keyword = any(p[1] == "**" for p in signature)
    star = any(a.star == "*" for a in call.args)
    double_star = any(a.star == "**" for a in call.args)
    given = [a for a in call.args if a.keyword is None and not a.star]
    if not star and not var_positional and len(given) > len(positional):
        return given[len(positional)], f"takes at most {len(positional)} positional argument{'s' if len(positional) != 1 else ''}, {len(given)} given"
    filled = {p[0] for p in positional[: len(given)]}
    for arg in call.args:
        if arg.keyword is None:
            continue
        keyword = arg.keyword.value
        param = by_name.get(keyword)
        if param is None or param[1] in ("*", "**"):
            if not var_keyword:
                return arg, f"has no parameter `{keyword}`"
        elif param[1] == "p":
            if not var_keyword:
                return arg, f"takes `{keyword}` only positionally"
        elif keyword in filled and not star:
            return arg, f"gets `{keyword}` twice (by position and by keyword)"
        filled.add(keyword)
    if not star and not double_star:
        missing = [p[0] for p in signature if p[1] in ("p", "a", "k") and len(p) == 2 and p[0] not in filled]
        if missing:
            return call, f"misses the required argument{'s' if len(missing) > 1 else ''} {', '.join(f'`{m}`' for m in missing)}"
    return None
