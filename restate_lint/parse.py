"""Parsing with libcst, guarded: a file that cannot be parsed becomes a ParseFailure, never a crash."""

from __future__ import annotations

import ast
from typing import Optional

import libcst as cst

from restate_lint.nesting import for_libcst
from restate_lint.source import ParseFailure


def parse(text: str) -> cst.Module:
    """libcst's tree of the text. libcst goes first so that code written for a newer Python
    than the one running the linter still parses; CPython's parser only locates errors."""
    try:
        return cst.parse_module(for_libcst(text))
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
