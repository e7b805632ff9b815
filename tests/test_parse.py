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


def test_type_checks_on_nodes_answer_as_abcs_would() -> None:
    """The node classes' type checks skip ABCMeta's hook (parse.py): that is only sound while
    libcst registers no virtual subclass of them."""
    import abc

    import restate_lint.parse  # noqa: F401 - what patches them

    def classes(root: type):
        yield root
        for sub in root.__subclasses__():
            yield from classes(sub)

    for kind in classes(cst.CSTNode):
        assert not abc._get_dump(kind)[0], f"{kind.__name__} has virtual subclasses"
        assert type(kind).__instancecheck__ is type.__instancecheck__, kind
    name = cst.Name("x")
    assert isinstance(name, cst.BaseExpression) and isinstance(name, (cst.Call, cst.Name))
    assert not isinstance(name, cst.Call) and not isinstance(cst.Integer("1"), cst.BaseStatement)
    assert issubclass(cst.Name, cst.BaseAssignTargetExpression) and not issubclass(cst.Name, cst.BaseSuite)
