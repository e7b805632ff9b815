"""Rule pages, rule messages and the oracle agree on what Restate does at runtime."""

from __future__ import annotations

import json
import re
import subprocess
import sys
from pathlib import Path

import pytest

from fixtures_lib import all_fixtures
from restate_lint.docs import rule_doc
from restate_lint.rules import RULES
from restate_lint.rules.runtime import RUNTIME, section

ROOT = Path(__file__).resolve().parent.parent
RUNTIME_HEADING = "## What Restate does at runtime"
# the failure modes a message may cite only if the oracle saw them for its rule
FAILURE_TERMS = ("RT0016", "RT0017", "570", "598", "409", "paused", "deadlock", "forever", "TypeError")
RETRIED_FOREVER = re.compile(r"retr\w* forever", re.IGNORECASE)


def _words(text: str) -> str:
    return " ".join(text.split())


def _page_section(code: str) -> str:
    page = rule_doc(code)
    assert page and RUNTIME_HEADING in page, code
    return page.split(RUNTIME_HEADING, 1)[1].split("\n## ", 1)[0]


@pytest.fixture(scope="module")
def messages() -> dict[str, set[str]]:
    """Every message the rules give on their invalid fixtures, by code (from the CLI's JSON)."""
    paths = [str(fixture.path) for fixture in all_fixtures() if not fixture.valid]
    out = subprocess.run([sys.executable, "-m", "restate_lint", "--no-config", "--select", "ALL", "--format", "json", *paths],
                         cwd=ROOT, capture_output=True, text=True).stdout
    found: dict[str, set[str]] = {}
    for diagnostic in json.loads(out):
        found.setdefault(diagnostic["code"], set()).add(diagnostic["message"])
    return found


@pytest.fixture(scope="module")
def oracle_tests() -> set[str]:
    """The oracle's test ids ("test_file.py::test_name[id]"), collected without a server."""
    out = subprocess.run([sys.executable, "-m", "pytest", "--collect-only", "-q", "-p", "no:cacheprovider", "tests/oracle"],
                         cwd=ROOT, capture_output=True, text=True).stdout
    return {line.removeprefix("tests/oracle/") for line in out.splitlines() if line.startswith("tests/oracle/")}


def test_every_rule_has_an_observed_outcome_or_a_reason():
    assert set(RUNTIME) == set(RULES)


@pytest.mark.parametrize("code", sorted(RULES))
def test_page_says_what_was_observed(code):
    assert _words(_page_section(code)) == _words(section(code))


@pytest.mark.parametrize("code", sorted(RULES))
def test_oracle_tests_named_for_a_rule_exist(code, oracle_tests):
    missing = [test for test in RUNTIME[code].oracle if test not in oracle_tests]
    assert not missing, f"{code} names oracle tests that do not exist: {missing}"


def test_every_oracle_test_of_a_rule_is_recorded_for_it(oracle_tests):
    recorded = {test for runtime in RUNTIME.values() for test in runtime.oracle}
    for test in oracle_tests:
        codes = {c.upper() for c in re.findall(r"rst\d{3}", test, re.IGNORECASE)}
        for code in codes:
            assert test in RUNTIME[code].oracle, f"{test} is not recorded under {code}"
    assert recorded <= oracle_tests


def test_error_and_warning_rules_with_runtime_behaviour_have_an_oracle_test():
    # RST303 (an annotation nothing reads) and RST900 (a comment) have no runtime behaviour
    without = {code for code, rule in RULES.items() if rule.default_enabled and not RUNTIME[code].oracle}
    assert without == {"RST303", "RST900"}


def test_messages_cite_only_observed_failures(messages):
    for code, texts in messages.items():
        observed = RUNTIME[code].observed.lower()
        for message in texts:
            cited = [term for term in FAILURE_TERMS if term.lower() in message.lower()]
            unobserved = [term for term in cited if term.lower() not in observed]
            assert not unobserved, f"{code} message cites {unobserved}, which its outcome does not: {message}"


def test_nothing_says_retried_forever(messages):
    texts = [rule_doc(code) for code in RULES] + [(ROOT / "README.md").read_text(encoding="utf-8")]
    texts += [m for found in messages.values() for m in found]
    assert not [t for t in texts if RETRIED_FOREVER.search(t)]
