"""Rules, docs pages, fixtures and the README table line up."""

from __future__ import annotations

import re
from pathlib import Path

import pytest

from fixtures_lib import FIXTURES, all_fixtures
from restate_lint.docs import rule_doc
from restate_lint.rules import RULES

ROOT = Path(__file__).parent.parent
SECTIONS = ["What it does", "Why is this bad?", "Example", "Use instead", "Fix safety", "What Restate does at runtime"]
FIX_WORDS = {"safe": "safe", "unsafe": "unsafe", "safe/unsafe": "safe/unsafe", "none": "none"}


@pytest.mark.parametrize("code", sorted(RULES))
def test_docs_page(code: str) -> None:
    rule = RULES[code]
    page = rule_doc(code)
    assert page is not None, f"docs/rules/{code}.md is missing"
    assert page.splitlines()[0] == f"# {code}: {rule.name}"
    meta = re.search(r"^Severity: (\w+) · Fix: ([\w/]+) · Default: (on|off)$", page, re.M)
    assert meta, "the Severity/Fix/Default line is missing"
    assert meta.group(1) == rule.severity.value
    assert meta.group(2) == FIX_WORDS[rule.fix]
    assert meta.group(3) == ("on" if rule.default_enabled else "off")
    headings = re.findall(r"^## (.+)$", page, re.M)
    assert headings == SECTIONS


@pytest.mark.parametrize("code", sorted(RULES))
def test_rule_has_valid_and_invalid_fixtures(code: str) -> None:
    kinds = {f.valid for f in all_fixtures() if f.code == code}
    assert kinds == {True, False}, f"tests/fixtures/{code}/ needs invalid_* and valid_* fixtures"


def test_every_fixture_folder_and_page_names_a_rule() -> None:
    assert {p.name for p in FIXTURES.glob("RST*")} <= set(RULES)
    assert {p.stem for p in (ROOT / "docs" / "rules").glob("*.md")} <= set(RULES)


def test_readme_rule_table_matches_registry() -> None:
    readme = (ROOT / "README.md").read_text()
    rows = dict(re.findall(r"^\| (RST\d{3}) \| ([\w-]+) \|", readme, re.M))
    assert rows == {code: rule.name for code, rule in RULES.items()}
