"""Related locations: the other places a diagnostic is about (the same cause deciding other lines,
the steps of RST107's chain), as data in JSON, SARIF and the language server, kept by the cache."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from lsprotocol import types

from restate_lint.cache import Cache
from restate_lint.config import Settings
from restate_lint.diagnostics import Diagnostic, Position, Related, Severity
from restate_lint.lsp.carry import carried
from restate_lint.lsp.convert import diagnostic as lsp_diagnostic
from restate_lint.output.jsonfmt import to_json
from restate_lint.output.sarif import to_sarif
from restate_lint.runner import lint_paths
from restate_lint.source import SourceFile

SARIF_SCHEMA = Path(__file__).resolve().parent / "data" / "sarif-schema-2.1.0.json"

COUNTER = """\
import restate

quota = restate.VirtualObject("Quota")

calls = 0


@quota.handler()
async def use(ctx: restate.ObjectContext) -> int:
    global calls
    calls += 1
    if calls > 100:
        ctx.set("throttled", True)
    calls = min(calls, 1000)
    return calls
"""

CHAIN = """\
import smtplib

import restate

mailer = restate.Service("Mailer")


def deliver(message: str) -> None:
    with smtplib.SMTP("localhost") as smtp:
        smtp.send_message(message)


def send_mail(message: str) -> None:
    deliver(message)


@mailer.handler()
async def welcome(ctx: restate.Context, address: str) -> None:
    send_mail(address)
"""


def _project(tmp_path: Path, files: dict[str, str]) -> Path:
    tmp_path.mkdir(parents=True, exist_ok=True)
    (tmp_path / "pyproject.toml").write_text("[project]\nname = 'app'\n", encoding="utf-8")
    for name, text in files.items():
        (tmp_path / name).write_text(text, encoding="utf-8")
    return tmp_path


def _lint(root: Path, cache: Cache | None = None, display: dict | None = None):
    return lint_paths([root], Settings(root=root), cache=cache, display=display)


def _only(result, code: str) -> Diagnostic:
    [found] = [d for d in result.diagnostics if d.code == code]
    return found


def test_the_other_uses_of_one_cause_are_related_locations(tmp_path: Path) -> None:
    root = _project(tmp_path, {"quota.py": COUNTER})
    found = _only(_lint(root), "RST105")
    assert found.start.row == 11
    assert "(the same cause also uses it on lines 12, 14)" in found.message  # the text still says so
    assert [(r.start.row, r.start.column, r.end.column) for r in found.related] == [(12, 8, 19), (14, 5, 29)]
    assert {r.filename for r in found.related} == {found.filename}
    assert all(r.message == "the same cause also uses it on this line" for r in found.related)


def test_json_carries_related_as_an_optional_list(tmp_path: Path) -> None:
    root = _project(tmp_path, {"quota.py": COUNTER, "mail.py": CHAIN})
    result = _lint(root)
    [entry] = [d for d in json.loads(to_json(result.diagnostics)) if d["code"] == "RST105"]
    fixed = ["code", "name", "message", "severity", "filename", "location", "end_location", "fix", "url"]
    assert list(entry) == [*fixed, "related"]  # the fixed fields unchanged, the new one last
    assert entry["related"][0] == {
        "filename": entry["filename"],
        "location": {"row": 12, "column": 8},
        "end_location": {"row": 12, "column": 19},
        "message": "the same cause also uses it on this line",
    }
    without = [d for d in json.loads(to_json(result.diagnostics)) if d["code"] != "RST105" and d["code"] != "RST107"]
    assert all("related" not in d for d in without)  # absent, not empty, where there is nothing to relate


def test_rst107_chain_steps_in_the_module_are_related(tmp_path: Path) -> None:
    root = _project(tmp_path, {"mail.py": CHAIN})
    found = _only(_lint(root), "RST107")
    assert "(welcome -> send_mail -> deliver -> smtplib.SMTP)" in found.message
    assert [(r.start.row, r.message) for r in found.related] == [
        (14, "`send_mail` calls `deliver(..)` here"),
        (9, "`deliver` reaches `smtplib.SMTP` here"),
    ]


def test_rst107_chain_through_another_module_relates_only_this_modules_steps(tmp_path: Path) -> None:
    helpers = CHAIN.split("@mailer.handler()")[0]
    handler = "import restate\nfrom helpers import send_mail\n\nmailer = restate.Service('Mailer')\n\n\n@mailer.handler()\nasync def welcome(ctx: restate.Context, address: str) -> None:\n    send_mail(address)\n"
    root = _project(tmp_path, {"helpers.py": helpers, "handlers.py": handler})
    found = _only(_lint(root), "RST107")
    assert "helpers.send_mail" in found.message and found.related == ()  # summaries carry no positions


def test_sarif_related_locations_are_valid_and_point_at_the_lines(tmp_path: Path) -> None:
    jsonschema = pytest.importorskip("jsonschema")
    root = _project(tmp_path, {"quota.py": COUNTER, "mail.py": CHAIN})
    result = _lint(root)
    log = json.loads(to_sarif(result, root))
    jsonschema.Draft4Validator(json.loads(SARIF_SCHEMA.read_text(encoding="utf-8")), format_checker=jsonschema.FormatChecker()).validate(log)
    results = {r["ruleId"]: r for r in log["runs"][0]["results"]}
    related = results["RST105"]["relatedLocations"]
    assert [r["id"] for r in related] == [0, 1]
    assert related[0]["physicalLocation"] == {
        "artifactLocation": results["RST105"]["locations"][0]["physicalLocation"]["artifactLocation"],
        "region": {"startLine": 12, "startColumn": 8, "endLine": 12, "endColumn": 19},
    }
    assert related[0]["message"] == {"text": "the same cause also uses it on this line"}
    assert [r["physicalLocation"]["region"]["startLine"] for r in results["RST107"]["relatedLocations"]] == [14, 9]
    assert all("relatedLocations" not in r for r in log["runs"][0]["results"] if r["ruleId"] not in ("RST105", "RST107"))


def test_related_locations_round_trip_through_the_cache_under_the_shown_name(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    root = _project(tmp_path / "app", {"quota.py": COUNTER})
    fresh = _only(_lint(root, Cache(tmp_path / "cache"), {root / "quota.py": "first.py"}), "RST105")
    assert {r.filename for r in fresh.related} == {"first.py"}

    import restate_lint.worker

    def no_check(*args, **kwargs):
        raise AssertionError("checked again: the diagnostics were not read from the cache")

    monkeypatch.setattr(restate_lint.worker, "lint_model", no_check)
    cached = _only(_lint(root, Cache(tmp_path / "cache"), {root / "quota.py": "second.py"}), "RST105")
    assert cached.filename == "second.py" and {r.filename for r in cached.related} == {"second.py"}
    assert [(r.start, r.end, r.message) for r in cached.related] == [(r.start, r.end, r.message) for r in fresh.related]
    store = Cache(tmp_path / "cache")
    whole = _lint(root, store, {root / "quota.py": "second.py"})  # the same run again: one entry for all of it
    assert store.stats["run", "hit"] == 1 and _only(whole, "RST105").related == cached.related


def _with_related(text: str) -> tuple[Diagnostic, SourceFile]:
    source = SourceFile("f.py", text.encode("utf-8"))
    related = (Related("f.py", Position(2, 8), Position(2, 13), "the same cause also decides this line"),)
    return Diagnostic("RST103", "name", "message", Severity.ERROR, "f.py", Position(1, 1), Position(1, 4), None, "", related), source


def test_lsp_related_information_in_the_documents_positions() -> None:
    found, source = _with_related("x = 1\nnote = \"\U0001f600\"; y\n")
    [info] = lsp_diagnostic(found, source, types.PositionEncodingKind.Utf16, "file:///f.py").related_information
    assert info.location.uri == "file:///f.py" and info.message == "the same cause also decides this line"
    # code point columns 8..13 are UTF-16 characters 7..13: the emoji before the end counts twice
    assert (info.location.range.start.line, info.location.range.start.character, info.location.range.end.character) == (1, 7, 13)
    assert lsp_diagnostic(found, source, types.PositionEncodingKind.Utf16).related_information is None  # no document to point into


def test_carried_diagnostics_drop_related_locations_on_edited_lines() -> None:
    found, old = _with_related("a\nb\nc\n")
    kept_line = carried([found], old, SourceFile("f.py", b"a\nb\nX\nc\n"))
    assert [r.start.row for r in kept_line[0].related] == [2]
    edited = carried([found], old, SourceFile("f.py", b"a\nB\nc\n"))
    assert len(edited) == 1 and edited[0].related == ()


def test_rst201_through_a_wrapper_points_at_where_its_method_uses_the_context() -> None:
    fixture = Path(__file__).resolve().parent / "fixtures" / "RST201" / "invalid_context_held_by_object.py"
    result = lint_paths([fixture], Settings(root=fixture.parent))
    by_row = {d.start.row: d for d in result.diagnostics if d.code == "RST201"}
    called = by_row[41]
    assert "`state.total(..)` uses the Restate context `state` holds (`self.ctx` in `CartState.total`)" in called.message
    assert [(r.start.row, r.message) for r in called.related] == [(15, "`CartState.total` uses the context here")]
    run = by_row[45]  # the method itself is the action; it reaches the context through `self.total()`
    assert run.message.startswith("The run action `state.checked_total` uses") and [r.start.row for r in run.related] == [15]
    assert by_row[44].related == ()  # `state.ctx` read in the action: nothing elsewhere to point at


def test_rst107_function_handed_to_a_helper_relates_where_the_helper_calls_it() -> None:
    fixture = Path(__file__).resolve().parent / "fixtures" / "RST107" / "invalid_callable_handed_to_helper.py"
    result = lint_paths([fixture], Settings(root=fixture.parent))
    [found] = [d for d in result.diagnostics if d.code == "RST107" and d.start.row == 30]
    assert "(fetch -> with_retry -> action() -> head -> urllib.request.urlopen)" in found.message
    assert [(r.start.row, r.message) for r in found.related] == [
        (15, "`with_retry` calls what it was handed (as `action`) here"),
        (18, "`with_retry` calls what it was handed (as `action`) here"),
        (22, "`head` reaches `urllib.request.urlopen` here"),
    ]
