"""Positions computed per statement are libcst's own, for every node of real files."""

from __future__ import annotations

import sysconfig
from pathlib import Path

import libcst as cst
import pytest
from libcst.metadata import MetadataWrapper, PositionProvider

from restate_lint.diagnostics import Position
from restate_lint.model.walk import children
from restate_lint.positions import Positions

FIXTURES = sorted((Path(__file__).parent / "fixtures").rglob("*.py"))
STDLIB = Path(sysconfig.get_paths()["stdlib"])
SAMPLES = [STDLIB / name for name in ("textwrap.py", "dataclasses.py", "asyncio/tasks.py", "json/decoder.py")]

TRICKY = '''\
import os  # a comment
x = 1; y = (
    2 +
  3)


@decorator(
    arg,
)
async def f(a,
            b):
    """A docstring
    with lines."""
    if a:
        return b  # trailing
    elif b: return a
    else:
        try:
            pass
        except (ValueError,
                TypeError) as e:
            raise
        finally:
            x = f"""{a}
  {b}"""
    for i in range(3): print(i)
    while False:
        pass
    else:
        pass
    match a:
        case 1:
            pass
\tpass
'''

# Statements whose text is written more than once (in a string too): where each stands is told by
# its following lines, or by CPython's parser when even those are the same.
REPEATED = '''\
text = """
x = g(
    1)
"""
def f():
    x = g(
        1)
    x = g(
        2)
    if x:
        x = g(
            1)
    @handler
    def h():
        pass
    @handler
    def h():
        return 1
x = g(
    1)
'''


def _texts() -> list:
    """Every fixture that parses (some are deliberately broken), and a few standard-library files."""
    found = []
    for path in [*FIXTURES, *SAMPLES]:
        try:
            text = path.read_text(encoding="utf-8")
            cst.parse_module(text)
        except (UnicodeDecodeError, cst.ParserSyntaxError):
            continue
        found.append(pytest.param(text, id=path.name))
    return found


def _expected(tree: cst.Module) -> dict:
    return MetadataWrapper(tree, unsafe_skip_copy=True).resolve(PositionProvider)


@pytest.mark.parametrize("text", [pytest.param(TRICKY, id="tricky"), pytest.param(REPEATED, id="repeated"), *_texts()])
def test_every_node_is_where_libcst_puts_it(text: str) -> None:
    if "\tpass" in text:
        text = text.replace("\tpass\n", "")  # a tab-indented line after a space-indented block is a TabError
    tree = cst.parse_module(text)
    expected = _expected(tree)
    positions = Positions(tree, text)
    pending = list(tree.body)
    while pending:
        node = pending.pop()
        pending.extend(children(node))
        want = expected.get(node)
        if want is None:
            continue  # a whitespace node that libcst does not position
        assert positions.span(node) == (Position(want.start.line, want.start.column + 1), Position(want.end.line, want.end.column + 1)), tree.code_for_node(node)
