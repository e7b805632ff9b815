"""Positions of reported nodes, without computing them for the whole file.

libcst's PositionProvider re-generates the code of the whole module, several times the cost of
parsing it. A reported node is instead positioned inside its innermost statement, rendered as a
module of its own, then moved to where that statement stands, and each of its lines is shifted
right by the indentation the rendering left out (libcst keeps indentation relative to the block,
continuation lines as written). Where the statement stands: the one line of the file that reads as
its rendered lines do once indentation is stripped (every line of the rendering is a line of the
file with its indentation left out, so the true place always matches); when several places match
(the same statement written twice), the line where CPython's parser saw it begin. Anything that
does not fit this (a file CPython cannot parse, a node outside any statement) falls back to the
whole-file provider.
"""

from __future__ import annotations

import ast
import re
from typing import Callable, Optional

import libcst as cst
from libcst.metadata import PositionProvider
from libcst.metadata.position_provider import PositionProvidingCodegenState

from restate_lint.diagnostics import Position
from restate_lint.model.walk import children

_LINE_BREAK = re.compile(r"\r\n|\r|\n")
_INDENT = " \t\f"
# A line written more often than this is placed by CPython's parse (once for the whole file):
# comparing every place for every statement would cost their product (generated code)
_FEW_PLACES = 8


class Positions:
    def __init__(self, tree: cst.Module, text: str, hint: Optional[Callable[[cst.CSTNode], Optional[cst.CSTNode]]] = None):
        """`hint` tells the innermost statement of the nodes it knows (the model knows where its
        sites stand); the others are found by walking the statements."""
        self.tree = tree
        self.text = text
        self.hint = hint
        self._statement_of: dict[int, cst.CSTNode] = {}  # node id -> its innermost statement
        self._indexed = 0  # top-level statements whose nodes are in _statement_of
        self._mini: dict[int, Optional[tuple]] = {}  # statement id -> (positions, line shift, its lines)
        self._starts: Optional[dict[int, int]] = None
        self._lines: Optional[list[str]] = None
        self._lines_reading: Optional[dict[str, list[int]]] = None  # a line without indentation -> where it is
        self._full = None

    def span(self, node: cst.CSTNode, owner: Optional[cst.CSTNode] = None) -> tuple[Position, Position]:
        """Start and end (1-based line and column) of `node`; `owner` is a node it is part of
        that a walk reaches (parentheses are not walked)."""
        mini = self._mini_near(owner or node)
        found = mini[0].get(node) if mini is not None else None
        if found is None:
            found = self._whole()[node]
            return Position(found.start.line, found.start.column + 1), Position(found.end.line, found.end.column + 1)
        return self._moved(mini, found.start.line, found.start.column), self._moved(mini, found.end.line, found.end.column)

    def _moved(self, mini: tuple, line: int, column: int) -> Position:
        _, shift, rendered = mini
        real = line + shift
        lines = self._source_lines()
        indent = len(lines[real - 1]) - len(rendered[line - 1]) if real <= len(lines) and line <= len(rendered) else 0
        return Position(real, column + indent + 1)

    def _whole(self):
        if self._full is None:
            self._full = rendered(self.tree)[0]
        return self._full

    def _source_lines(self) -> list[str]:
        if self._lines is None:
            self._lines = _LINE_BREAK.split(self.text)
        return self._lines

    def _mini_near(self, node: cst.CSTNode) -> Optional[tuple]:
        statement = self._find(node)
        if statement is None:
            return None
        key = id(statement)
        if key not in self._mini:
            positions, code = rendered(cst.Module(body=[statement]))
            lines = _LINE_BREAK.split(code)
            first = positions[_first_token(statement)].start.line
            start = self._start_of(statement, lines, first)
            self._mini[key] = None if start is None else (positions, start - first, lines)
        return self._mini[key]

    def _start_of(self, statement: cst.CSTNode, rendering: list[str], first: int) -> Optional[int]:
        """The line of the file where the statement's first token (line `first` of its
        `rendering`) stands, or None if that cannot be told."""
        if self._lines_reading is None:
            self._lines_reading = {}
            for number, line in enumerate(self._source_lines(), 1):
                self._lines_reading.setdefault(line.lstrip(_INDENT), []).append(number)
        lines = self._source_lines()
        body = rendering[first - 1 : -1]  # what follows the last line break is the next statement's
        candidates = self._lines_reading.get(rendering[first - 1].lstrip(_INDENT), ())
        if len(candidates) <= _FEW_PLACES:
            places = [
                at for at in candidates
                if at - 1 + len(body) <= len(lines) and all(lines[at - 1 + k].lstrip(_INDENT) == text.lstrip(_INDENT) for k, text in enumerate(body))
            ]  # fmt: skip
            if len(places) == 1:
                return places[0]
        starts = self._statement_starts()
        return starts.get(id(statement)) if starts is not None else None

    def _find(self, node: cst.CSTNode) -> Optional[cst.CSTNode]:
        hinted = self.hint(node) if self.hint is not None else None
        if hinted is not None:
            return hinted
        body = self.tree.body
        while id(node) not in self._statement_of and self._indexed < len(body):
            pending = [(body[self._indexed], body[self._indexed], None)]
            while pending:
                current, statement, parent = pending.pop()
                if is_statement(current, parent):
                    statement = current
                self._statement_of[id(current)] = statement
                pending.extend((child, statement, current) for child in children(current))
            self._indexed += 1
        return self._statement_of.get(id(node))

    def _statement_starts(self) -> Optional[dict[int, int]]:
        """The line of every statement's first token, as CPython's parser reads it."""
        if self._starts is None:
            try:
                parsed = ast.parse(self.text).body
            except (SyntaxError, ValueError, RecursionError, MemoryError):
                return None
            starts: dict[int, int] = {}
            if not _pair(list(self.tree.body), parsed, starts):
                return None
            self._starts = starts
        return self._starts


def rendered(module: cst.Module) -> tuple[dict, str]:
    """libcst's positions of every node of `module`, and its code, from one rendering of it
    (MetadataWrapper renders it again for the code, and its set-up costs more than a statement's
    rendering)."""
    provider = PositionProvider()
    state = PositionProvidingCodegenState(default_indent=module.default_indent, default_newline=module.default_newline, provider=provider)
    module._codegen(state)
    return provider._computed, "".join(state.tokens)


def positions_of(model) -> Positions:
    """The positions of a module model's nodes, made once per model (rules that order findings and
    the check stage share them)."""
    found = model.analyses.get("_positions")
    if found is None:
        found = model.analyses["_positions"] = Positions(model.tree, model.source.text, model.statement_of)
    return found


_STATEMENT_TYPES: dict[type, bool] = {}


def is_statement(node: cst.CSTNode, parent: Optional[cst.CSTNode]) -> bool:
    """A statement that renders as itself: not an `elif`, which renders as `if` on its own."""
    kind = type(node)
    found = _STATEMENT_TYPES.get(kind)
    if found is None:  # isinstance on libcst's classes calls the metaclass's hook: asked once per type
        found = _STATEMENT_TYPES[kind] = issubclass(kind, (cst.SimpleStatementLine, cst.BaseCompoundStatement))
    return found and not (type(parent) is cst.If and node is parent.orelse)


def _first_token(statement: cst.CSTNode) -> cst.CSTNode:
    """The node whose start is where CPython's parser starts the statement."""
    if isinstance(statement, cst.SimpleStatementLine):
        return statement.body[0]
    decorators = getattr(statement, "decorators", None)
    return decorators[0] if decorators else statement


def _pair(statements: list, parsed: list, starts: dict[int, int]) -> bool:
    """Match libcst statements with CPython's, recording where each starts; False on a mismatch."""
    at = 0
    for statement in statements:
        count = len(statement.body) if isinstance(statement, cst.SimpleStatementLine) else 1
        if at + count > len(parsed):
            return False
        first = parsed[at]
        decorators = getattr(first, "decorator_list", None)
        starts[id(statement)] = decorators[0].lineno if decorators and getattr(statement, "decorators", None) else first.lineno
        at += count
        if count == 1 and not isinstance(statement, cst.SimpleStatementLine) and not all(_pair(a, b, starts) for a, b in _blocks(statement, first)):
            return False
    return at == len(parsed)


def _body(suite) -> list:
    return list(suite.body) if isinstance(suite, cst.IndentedBlock) else []


def _blocks(statement: cst.CSTNode, parsed: ast.AST) -> list[tuple[list, list]]:
    """The nested statement lists of a compound statement, with CPython's (one-line suites hold
    no statement lines: they are positioned with their compound statement)."""
    pairs = []

    def add(suite, block) -> None:
        if isinstance(suite, cst.IndentedBlock):
            pairs.append((_body(suite), block))

    if hasattr(statement, "body"):
        add(statement.body, parsed.body)
    orelse = getattr(statement, "orelse", None)
    if isinstance(orelse, cst.If):
        pairs.append(([orelse], parsed.orelse))
    elif orelse is not None:
        add(orelse.body, parsed.orelse)
    for handler, parsed_handler in zip(getattr(statement, "handlers", ()), getattr(parsed, "handlers", ())):
        add(handler.body, parsed_handler.body)
    final = getattr(statement, "finalbody", None)
    if final is not None:
        add(final.body, parsed.finalbody)
    for case, parsed_case in zip(getattr(statement, "cases", ()), getattr(parsed, "cases", ())):
        add(case.body, parsed_case.body)
    return pairs
