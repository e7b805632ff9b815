"""Positions of reported nodes, without computing them for the whole file.

libcst's PositionProvider re-generates the code of the whole module (several times the cost of
parsing it). A reported node is positioned inside its top-level statement alone, as a module of
its own, then shifted by the line at which CPython's parser saw that statement begin. Anything
that does not fit this (a file CPython cannot parse, a node outside any statement) falls back to
the whole-file provider.
"""

from __future__ import annotations

import ast
from typing import Optional

import libcst as cst
from libcst.metadata import MetadataWrapper, PositionProvider

from restate_lint.diagnostics import Position
from restate_lint.model.walk import children


class Positions:
    def __init__(self, tree: cst.Module, text: str):
        self.tree = tree
        self.text = text
        self._statement_of: dict[int, int] = {}  # node id -> index of its top-level statement
        self._indexed = 0  # statements whose nodes are in _statement_of
        self._mini: dict[int, tuple[dict, int]] = {}  # statement index -> (positions, line shift)
        self._starts: Optional[list[Optional[int]]] = None
        self._full = None

    def span(self, node: cst.CSTNode, owner: Optional[cst.CSTNode] = None) -> tuple[Position, Position]:
        """Start and end (1-based line and column) of `node`; `owner` is a node it is part of
        that a walk reaches (parentheses are not walked)."""
        positions, shift = self._positions_near(owner or node)
        found = positions.get(node)
        if found is None:
            positions, shift = self._whole(), 0
            found = positions[node]
        return Position(found.start.line + shift, found.start.column + 1), Position(found.end.line + shift, found.end.column + 1)

    def _whole(self):
        if self._full is None:
            self._full = MetadataWrapper(self.tree, unsafe_skip_copy=True).resolve(PositionProvider)
        return self._full

    def _positions_near(self, node: cst.CSTNode) -> tuple[dict, int]:
        index = self._find(node)
        starts = self._statement_starts()
        if index is None or starts is None or starts[index] is None:
            return self._whole(), 0
        if index not in self._mini:
            statement = self.tree.body[index]
            positions = MetadataWrapper(cst.Module(body=[statement]), unsafe_skip_copy=True).resolve(PositionProvider)
            self._mini[index] = (positions, starts[index] - positions[_first_token(statement)].start.line)
        return self._mini[index]

    def _find(self, node: cst.CSTNode) -> Optional[int]:
        body = self.tree.body
        while id(node) not in self._statement_of and self._indexed < len(body):
            pending = [body[self._indexed]]
            while pending:
                current = pending.pop()
                self._statement_of[id(current)] = self._indexed
                pending.extend(children(current))
            self._indexed += 1
        return self._statement_of.get(id(node))

    def _statement_starts(self) -> Optional[list[Optional[int]]]:
        """The line of each top-level statement's first token, as CPython's parser reads it."""
        if self._starts is None:
            try:
                parsed = ast.parse(self.text).body
            except (SyntaxError, ValueError, RecursionError, MemoryError):
                return None
            starts: list[Optional[int]] = []
            at = 0
            for statement in self.tree.body:
                count = len(statement.body) if isinstance(statement, cst.SimpleStatementLine) else 1
                if at + count > len(parsed):
                    return None
                first = parsed[at]
                decorators = getattr(first, "decorator_list", None)
                starts.append(decorators[0].lineno if decorators and getattr(statement, "decorators", None) else first.lineno)
                at += count
            if at != len(parsed):
                return None
            self._starts = starts
        return self._starts


def _first_token(statement: cst.CSTNode) -> cst.CSTNode:
    """The node whose start is where CPython's parser starts the statement."""
    if isinstance(statement, cst.SimpleStatementLine):
        return statement.body[0]
    decorators = getattr(statement, "decorators", None)
    return decorators[0] if decorators else statement
