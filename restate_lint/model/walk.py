"""A lean tree walk over libcst nodes.

libcst's own `visit` rebuilds every node's children on the way (it serves transformers too),
which costs more than parsing. Linting only reads the tree, so this walks dataclass fields
directly and skips the whitespace and punctuation fields that never hold code. Subclasses
define `visit_<Node>` (return False to skip the children) and `leave_<Node>`, as with libcst.
"""

from __future__ import annotations

import dataclasses
from typing import Callable, Optional

import libcst as cst

_SKIPPED_FIELDS = frozenset(
    {
        "lpar", "rpar", "comma", "semicolon", "newline", "header", "footer", "leading_lines",
        "lines_after_decorators", "trailing_whitespace", "equal", "colon", "dot", "star_tok",
        "lbracket", "rbracket", "lbrace", "rbrace", "whitespace_before", "whitespace_after",
        "whitespace_before_indent", "whitespace_after_indent", "operator", "first_line",
        "empty_lines", "whitespace_before_colon", "whitespace_after_colon", "whitespace_after_star",
        "whitespace_after_param", "whitespace_before_params", "whitespace_before_args",
        "whitespace_after_arg", "whitespace_after_await", "whitespace_after_def",
        "whitespace_after_async", "whitespace_after_name", "whitespace_before_from",
        "whitespace_after_from", "whitespace_after_import", "whitespace_before_import",
        "whitespace_after_as", "whitespace_before_as", "whitespace_after_at", "whitespace_after_lambda",
        "whitespace_after_for", "whitespace_before_in", "whitespace_after_in", "whitespace_before_if",
        "whitespace_after_if", "whitespace_before_else", "whitespace_after_else",
        "whitespace_after_return", "whitespace_after_del", "whitespace_after_global",
        "whitespace_after_nonlocal", "whitespace_after_assert", "whitespace_after_raise",
        "whitespace_after_yield", "whitespace_after_class", "whitespace_after_match",
        "whitespace_after_case", "whitespace_after_with", "whitespace_after_except",
        "whitespace_after_while", "whitespace_after_print",
    }
)  # fmt: skip

_FIELDS: dict[type, tuple[str, ...]] = {}


def _fields(kind: type) -> tuple[str, ...]:
    names = _FIELDS.get(kind)
    if names is None:
        names = _FIELDS[kind] = tuple(f.name for f in dataclasses.fields(kind) if f.name not in _SKIPPED_FIELDS)
    return names


_IS_NODE: dict[type, bool] = {}


def _is_node(kind: type) -> bool:
    """isinstance(x, CSTNode) calls the metaclass's hook (parse.py); asked once per type, it is a lookup."""
    found = _IS_NODE.get(kind)
    if found is None:
        found = _IS_NODE[kind] = issubclass(kind, cst.CSTNode)
    return found


def children(node: cst.CSTNode):
    """The code-bearing children of a node, in source order."""
    for name in _fields(type(node)):
        value = getattr(node, name)
        kind = type(value)
        if kind is tuple or kind is list:
            for item in value:
                if _is_node(type(item)):
                    yield item
        elif _is_node(kind):
            yield value


_SCOPES = (cst.FunctionDef, cst.Lambda, cst.ClassDef)


def contains(node: cst.CSTNode, kinds: tuple) -> bool:
    """Is there a node of one of `kinds` in `node`, outside nested functions and classes (which
    run elsewhere)?"""
    stack = [node]
    while stack:
        current = stack.pop()
        if isinstance(current, kinds):
            return True
        if not isinstance(current, _SCOPES):
            stack.extend(children(current))
    return False


class Walker:
    """Depth-first walk with per-node-type `visit_X` / `leave_X` hooks."""

    _hooks: dict[type, tuple[Optional[Callable], Optional[Callable]]]

    def __init_subclass__(cls, **kwargs):
        super().__init_subclass__(**kwargs)
        cls._hooks = {}

    def _hooks_for(self, kind: type):
        hooks = self._hooks.get(kind)
        if hooks is None:
            name = kind.__name__
            hooks = self._hooks[kind] = (getattr(type(self), "visit_" + name, None), getattr(type(self), "leave_" + name, None))
        return hooks

    def walk(self, node: cst.CSTNode) -> None:
        kind = type(node)
        visit, leave = self._hooks_for(kind)
        if self.enter(node) and (visit is None or visit(self, node) is not False):
            for name in _fields(kind):  # `children`, inlined: this loop runs for every node of every file
                value = getattr(node, name)
                value_kind = type(value)
                if value_kind is tuple or value_kind is list:
                    for item in value:
                        if _is_node(type(item)):
                            self.walk(item)
                elif _is_node(value_kind):
                    self.walk(value)
        if leave is not None:
            leave(self, node)
        self.exit(node)

    def enter(self, node: cst.CSTNode) -> bool:
        """Called before the node's own hook; return False to skip it and its children."""
        return True

    def exit(self, node: cst.CSTNode) -> None:
        """Called after the node's own leave hook."""
