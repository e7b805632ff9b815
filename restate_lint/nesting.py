"""What libcst is given: the text, checked from its tokens for nesting libcst's native parser
cannot take, with what CPython accepts but libcst does not rewritten in place.

libcst's native parser recurses once per level of the tree it builds and per link of a chain
(`-x`, `a.b`, `a[0]`, `a + b`, `x if c else y`, `lambda: ...`): a few thousand levels overflow
its stack (a segfault, which no `except` catches), and well before that time and memory grow
quadratically. So every path from the statement down is bounded, counted from tokens: brackets,
operators and keywords inside strings and comments do not count. The rewrites keep every
character's line and column, so libcst's positions are the file's own.
"""

from __future__ import annotations

import io
import re
import tokenize
from typing import Iterator, Optional

from restate_lint.source import ParseFailure

# CPython's own limit ("too many nested parentheses"): no real code nests brackets deeper
MAX_BRACKETS = 200
# Links (operators, trailers, prefixes, keywords) on one path from a statement down. libcst
# crashes at 3,500 `lambda:`, about 8,000 unary minus or `+`; at 500 the worst chain kind
# (`[0]` subscripts) takes 0.4 s and `lambda:` 71 MB (benchmarks/nesting_limits.py measures it).
MAX_LINKS = 500
# libcst refuses more than 3,000 adjacent string literals; longer runs are split with `+`
STRING_RUN = 500

_OPENERS, _CLOSERS = frozenset("([{"), frozenset(")]}")
_RESETS = frozenset({",", ";", "=", "+=", "-=", "*=", "/=", "//=", "%=", "@=", "&=", "|=", "^=", ">>=", "<<=", "**=", "->"})
_LINK_KEYWORDS = frozenset({"not", "and", "or", "if", "else", "lambda", "await", "in", "is", "for", "async", "yield"})
_NOT_LINKS = frozenset({":", "..."})
_STRING_END = {tokenize.STRING, getattr(tokenize, "FSTRING_END", -1)}
_STRING_START = {tokenize.STRING, getattr(tokenize, "FSTRING_START", -1)}
# Every character or keyword that can make a link or open a bracket, wherever it stands (in a
# string or a comment too): their count bounds every path, so a file under the limits in total
# needs no tokens (nearly every real file: tokenizing costs a fifth of the parse)
_LINK_CANDIDATES = re.compile(r"[-+*/%@&|^~<>!=.:(\[{]|\b(?:" + "|".join(sorted(_LINK_KEYWORDS)) + r")\b")
_LINES = re.compile(r"(?<=\n)|(?<=\r)(?!\n)")  # after each of Python's line breaks
_TRAILING_CONTINUATION = re.compile(r"\\(\r\n|\r|\n)?\Z")


def for_libcst(text: str) -> str:
    """`text` as libcst should parse it; raises ParseFailure where it nests too deeply."""
    text = _without_trailing_continuation(text)
    if _bounded_in_total(text):
        return text
    joints = _check(text)
    return _join(text, joints) if joints else text


def _bounded_in_total(text: str) -> bool:
    """Whether the whole text has too few brackets, links and quotes to exceed any limit."""
    return (
        text.count("(") + text.count("[") + text.count("{") <= MAX_BRACKETS
        and text.count('"') + text.count("'") < 2 * STRING_RUN  # a string has two quotes at least
        and sum(1 for _ in _LINK_CANDIDATES.finditer(text)) <= MAX_LINKS
    )


def _without_trailing_continuation(text: str) -> str:
    """A backslash and a CRLF at the end of the file: CPython compiles it, libcst (and Python's
    tokenize) do not. The backslash becomes a space."""
    match = _TRAILING_CONTINUATION.search(text)
    if match is None:
        return text
    import ast  # noqa: PLC0415 - only for this rare ending

    try:
        ast.parse(text)
    except (SyntaxError, ValueError, RecursionError, MemoryError):
        return text  # a real error: libcst reports it
    return text[: match.start()] + " " + text[match.start() + 1 :]


def _tokens(text: str) -> Iterator[tokenize.TokenInfo]:
    """The tokens, rows counted as Python counts lines; an unclosed bracket or string at the end
    stops them (libcst reports it), an error before the end is the file's syntax error."""
    try:
        yield from tokenize.generate_tokens(io.StringIO(text, newline=None).readline)
    except tokenize.TokenError as exc:
        message, (row, column) = exc.args[0], exc.args[1]
        if "EOF" not in message:  # 3.12+: any error of CPython's tokenizer, where counting stopped
            raise ParseFailure(f"syntax error: {message}", row, column + 1) from exc
    except SyntaxError as exc:  # IndentationError
        raise ParseFailure(f"syntax error: {exc.msg}", exc.lineno or 1, (exc.offset or 0) + 1) from exc


def _check(text: str, depth: int = 0, links: int = 0, at: Optional[tuple[int, int]] = None) -> list[tuple[int, int]]:
    """Raise ParseFailure if some path nests too deeply; return the blanks (row, column) where a
    `+` splits runs of adjacent strings too long for libcst. `depth` and `links` are those of
    the place the text sits in and `at` its position, for an f-string's field."""
    chains = [0]  # links since the last separator, per open bracket
    lambdas = [0]  # per open bracket: lambdas whose parameters are still open (their commas nest)
    total = links
    run = 0  # adjacent strings so far
    gap: Optional[tuple[int, int]] = None  # a blank between two of them, where a `+` can go
    last_type = tokenize.NEWLINE
    joints: list[tuple[int, int]] = []
    for token in _tokens(text):
        kind, string = token.type, token.string
        if kind in (tokenize.COMMENT, tokenize.NL):
            continue
        where = at or token.start
        link = opens = False
        if kind in _STRING_START and last_type in _STRING_END:
            run += 1
            column = token.start[1]
            if column and token.line[column - 1] in " \t":
                gap = (token.start[0], column - 1)
            if run >= STRING_RUN and gap is not None:
                joints.append(gap)
                run, gap, link = 1, None, True
        elif kind in _STRING_START:
            run, gap = 1, None
        if kind == tokenize.OP:
            if string in _OPENERS:
                link = opens = True
            elif string in _CLOSERS:
                if len(chains) > 1:
                    total -= chains.pop()
                    lambdas.pop()
            elif string == ":" and lambdas[-1]:
                lambdas[-1] -= 1
            elif string in _RESETS:
                if not lambdas[-1]:
                    total -= chains[-1]
                    chains[-1] = 0
            elif string not in _NOT_LINKS:
                link = True
        elif kind == tokenize.NAME and string in _LINK_KEYWORDS:
            link = True
            lambdas[-1] += string == "lambda"
        elif kind == tokenize.NEWLINE:
            total, chains, lambdas = links, [0], [0]
        elif kind == tokenize.STRING and _is_fstring(string):
            for field in _fields(string):
                _check(f"({field})", depth + len(chains), total, where)
        if link:
            chains[-1] += 1
            total += 1
            if total > MAX_LINKS:
                raise ParseFailure(f"expression nested more than {MAX_LINKS} deep", where[0], where[1] + 1)
        if opens:
            chains.append(0)
            lambdas.append(0)
            if len(chains) - 1 + depth > MAX_BRACKETS:
                raise ParseFailure(f"brackets nested more than {MAX_BRACKETS} deep", where[0], where[1] + 1)
        last_type = kind
    return joints


def _is_fstring(literal: str) -> bool:
    prefix = literal[: min(i for i in (literal.find('"'), literal.find("'")) if i >= 0)]
    return "f" in prefix.lower()


def _fields(literal: str) -> Iterator[str]:
    """The text of each replacement field of an f-string literal: before Python 3.12
    tokenize gives an f-string as one token, and libcst parses the fields with its own parser."""
    start = min(i for i in (literal.find('"'), literal.find("'")) if i >= 0)
    quote = literal[start : start + 3] if literal[start : start + 3] in ('"""', "'''") else literal[start]
    i, end = start + len(quote), len(literal) - len(quote)
    while i < end:
        if literal.startswith(("{{", "}}"), i):
            i += 2
            continue
        if literal[i] != "{":
            i += 1
            continue
        depth, j, inner = 1, i + 1, None
        while j < end and depth:
            c = literal[j]
            if inner is not None:
                inner = None if c == inner else inner
            elif c in "'\"":
                inner = c
            elif c in "([{":
                depth += 1
            elif c in ")]}":
                depth -= 1
            j += 1
        yield literal[i + 1 : j - 1]
        i = j


def _join(text: str, joints: list[tuple[int, int]]) -> str:
    """`text` with a `+` in place of the blank at each (row, column)."""
    lines = _LINES.split(text)
    for row, column in joints:
        line = lines[row - 1]
        lines[row - 1] = line[:column] + "+" + line[column + 1 :]
    return "".join(lines)
