"""The nesting guard skips tokenizing a file whose totals are under every limit: that shortcut must
never let through what counting the tokens would stop."""

from __future__ import annotations

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from restate_lint.nesting import MAX_BRACKETS, MAX_LINKS, _bounded_in_total, _check
from restate_lint.source import ParseFailure

CHAINS = {
    "unary": lambda n: "x = " + "-" * n + "1\n",
    "nots": lambda n: "x = " + "not " * n + "a\n",
    "power": lambda n: "x = " + "**".join(["2"] * (n + 1)) + "\n",
    "attributes": lambda n: "x = a" + ".b" * n + "\n",
    "lambdas": lambda n: "x = " + "lambda: " * n + "1\n",
    "conditionals": lambda n: "x = " + "1 if c else " * (n // 2 + 1) + "1\n",
    "comparisons": lambda n: "x = " + "==".join(["1"] * (n + 1)) + "\n",
    "walrus": lambda n: "x = (" + "y := " * n + "1)\n",
    "subscripts": lambda n: "x = a" + "[0]" * n + "\n",
    "brackets": lambda n: "x = " + "(" * n + "1" + ")" * n + "\n",
    "fstring_fields": lambda n: "x = " + "f'{" * n + "1" + "}'" * n + "\n",
    "awaits": lambda n: "async def f():\n    return " + "await " * n + "g()\n",
}


def _stopped(text: str) -> bool:
    try:
        _check(text)
    except ParseFailure as failure:
        return "nested" in str(failure)
    return False


@pytest.mark.parametrize("name", CHAINS)
def test_a_chain_at_the_limits_is_never_waved_through(name: str) -> None:
    stopped = 0
    for n in sorted({MAX_BRACKETS - 1, MAX_BRACKETS, MAX_BRACKETS + 1, MAX_LINKS - 1, MAX_LINKS, MAX_LINKS + 1, 2 * MAX_LINKS}):
        text = CHAINS[name](n)
        if _stopped(text):
            stopped += 1
            assert not _bounded_in_total(text), (name, n)
    assert stopped, name  # the chain does reach a limit, so the test checks something


PIECES = ["(", ")", "[", "]", "{", "}", "-", "+", "**", ".b", "not ", " if c else ", "lambda: ", "lambda a, b=1: ",
          ", ", "; ", " = ", "'('", '")"', "# ((\n", "\n", "x", "1", "f'{", "}'", "await ", ":", "\\\n"]


@settings(max_examples=400, deadline=None)
@given(st.lists(st.sampled_from(PIECES), max_size=300), st.integers(1, 12))
def test_a_text_under_the_totals_is_under_the_limits(pieces: list[str], repeat: int) -> None:
    text = "".join(pieces) * repeat
    if _bounded_in_total(text):
        assert not _stopped(text)
