"""Hover: on a code in a suppression comment (`# noqa: RST201`, `# restate-lint: ignore[RST201]`)
or on a diagnostic, the rule's name, summary and page."""

from __future__ import annotations

import re
from typing import Optional

from restate_lint.registry import RULES, Rule

# A suppression comment's codes: from its `#` to the next `#` (another tool's comment) or the end
_SUPPRESSION = re.compile(r"#\s*(?:noqa\b|restate-lint:\s*ignore\b)[^#]*", re.IGNORECASE)
_CODE = re.compile(r"\b[A-Za-z]+[0-9]+\b")


def code_at(line: str, column: int) -> Optional[tuple[str, int, int]]:
    """The rule code under a 0-based column of `line` inside a suppression comment, with its
    span (0-based, end exclusive); codes of other tools are not ours to describe."""
    for comment in _SUPPRESSION.finditer(line):
        if not comment.start() <= column <= comment.end():
            continue
        for code in _CODE.finditer(line, comment.start(), comment.end()):
            if code.start() <= column <= code.end() and code.group().upper() in RULES:
                return code.group().upper(), code.start(), code.end()
    return None


def describe(codes: list[str]) -> str:
    """Markdown for the rules, one paragraph each."""
    return "\n\n".join(_paragraph(RULES[code]) for code in dict.fromkeys(codes) if code in RULES)


def _paragraph(rule: Rule) -> str:
    fix = "" if rule.fix == "none" else f" Fix: {rule.fix}."
    return f"**{rule.code}** `{rule.name}`: {rule.summary}.{fix} [Documentation]({rule.url})"
