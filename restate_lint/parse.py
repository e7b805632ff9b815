"""Parsing with libcst, guarded: a file that cannot be parsed becomes a ParseFailure, never a crash."""

from __future__ import annotations

import abc
import ast
from contextlib import contextmanager
from typing import Iterator, Optional

import libcst as cst

from restate_lint.nesting import for_libcst
from restate_lint.source import ParseFailure


class _Validation:
    """libcst validates every node as it is built; the parser builds only valid ones, and checking
    them again costs a fifth of the parse. Nodes built anywhere else (fixes) are still checked."""

    skipped = False

    @staticmethod
    def post_init(node: cst.CSTNode) -> None:
        if not _Validation.skipped:
            node._validate()

    @staticmethod
    @contextmanager
    def skipped_while_parsing() -> Iterator[None]:
        before, _Validation.skipped = _Validation.skipped, True
        try:
            yield
        finally:
            _Validation.skipped = before


cst.CSTNode.__post_init__ = _Validation.post_init


class _PlainTypeChecks(abc.ABCMeta):
    """libcst's node classes are ABCs, so `isinstance(node, cst.Name)` runs ABCMeta's hook (a
    Python call) whenever the node is of another type: a tenth of the checks' time. libcst
    registers no virtual subclass and defines no subclass hook, so the plain check says the same."""

    __instancecheck__ = type.__instancecheck__
    __subclasscheck__ = type.__subclasscheck__


def _plain_type_checks(root: type) -> None:
    pending = [root]
    while pending:
        kind = pending.pop()
        if type(kind) is abc.ABCMeta:
            kind.__class__ = _PlainTypeChecks
        pending.extend(kind.__subclasses__())


_plain_type_checks(cst.CSTNode)


def parse(text: str) -> cst.Module:
    """libcst's tree of the text. libcst goes first so that code written for a newer Python
    than the one running the linter still parses; CPython's parser only locates errors."""
    try:
        guarded = for_libcst(text)
        with _Validation.skipped_while_parsing():
            return cst.parse_module(guarded)
    except cst.ParserSyntaxError as exc:
        raise python_syntax_error(text) or ParseFailure(f"syntax error: {exc.message}", exc.raw_line, exc.raw_column + 1) from exc
    except RecursionError as exc:
        raise ParseFailure("file is nested too deeply to parse") from exc


def syntax_failure(text: str) -> Optional[ParseFailure]:
    """Why a file does not parse, checked cheaply (CPython's parser, confirmed by libcst, which
    `parse` guards as it guards every file)."""
    if python_syntax_error(text) is None:
        return None
    try:
        parse(text)
    except ParseFailure as failure:
        return failure
    return None


def python_syntax_error(text: str) -> Optional[ParseFailure]:
    try:
        ast.parse(text)
    except SyntaxError as exc:
        return ParseFailure(f"syntax error: {exc.msg}", exc.lineno or 1, exc.offset or 1)
    except (ValueError, RecursionError, MemoryError) as exc:
        return ParseFailure(f"cannot parse file: {exc}")
    return None
