"""The parse skips libcst's re-validation of the nodes its parser builds, and only that."""

from __future__ import annotations

from pathlib import Path

import libcst as cst
import pytest

from restate_lint.parse import parse

EXAMPLES = sorted((Path(__file__).parent.parent / "examples").rglob("*.py"))


def test_a_tree_parsed_without_validation_is_the_validated_tree() -> None:
    assert EXAMPLES
    for path in EXAMPLES:
        text = path.read_text()
        ours, theirs = parse(text), cst.parse_module(text)
        assert ours.deep_equals(theirs) and ours.code == text, path


def test_nodes_built_outside_the_parse_are_still_validated() -> None:
    parse("x = 1\n")
    with pytest.raises(cst.CSTValidationError):
        cst.Name("not an identifier")
    with pytest.raises(cst.CSTValidationError):
        cst.SimpleWhitespace("x")


def test_validation_comes_back_after_a_failed_parse() -> None:
    with pytest.raises(Exception):
        parse("def (:\n")
    with pytest.raises(cst.CSTValidationError):
        cst.Name("")
