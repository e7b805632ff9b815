"""The autofix engine and `check --fix/--unsafe-fixes/--diff/--fix-only`."""

from __future__ import annotations

import os
import stat
import subprocess
import sys
from pathlib import Path

import libcst.matchers as m
import pytest
from click.testing import CliRunner

from restate_lint import check as check_stage
from restate_lint.cli import main
from restate_lint.config import Settings
from restate_lint.diagnostics import Finding, Fix, NodeEdit
from restate_lint.fixes import MAX_ROUNDS, fix_paths
from samples import FIXED, HANDLER

REPO = Path(__file__).resolve().parent.parent

# RST201 has no fix: it remains after --fix
UNFIXABLE = """\
import restate

echo = restate.Service("Echo")


@echo.handler()
async def run(ctx: restate.Context) -> str:
    return await ctx.run_typed("key", lambda: ctx.request().id)
"""


def restate_lint(*args: str, cwd: Path, stdin: bytes = b"") -> subprocess.CompletedProcess:
    env = {**os.environ, "PYTHONPATH": str(REPO)}
    return subprocess.run([sys.executable, "-m", "restate_lint", *args], cwd=cwd, input=stdin, capture_output=True, env=env, timeout=120)


# -- the command line, with the real rules ---------------------------------------------------


def test_fix_writes_the_fix_and_reports_what_remains(tmp_path: Path) -> None:
    (tmp_path / "greeter.py").write_text(HANDLER)
    (tmp_path / "echo.py").write_text(UNFIXABLE)
    run = restate_lint("--fix", ".", cwd=tmp_path)
    assert (tmp_path / "greeter.py").read_text() == FIXED
    assert (tmp_path / "echo.py").read_text() == UNFIXABLE
    out = run.stdout.decode()
    assert "echo.py:8:" in out and "RST201" in out and "RST202" not in out
    assert "Found 2 problems (1 fixed, 1 remaining)." in out
    assert run.returncode == 1


def test_fix_exits_zero_when_nothing_remains(tmp_path: Path) -> None:
    (tmp_path / "greeter.py").write_text(HANDLER)
    run = restate_lint("--fix", "greeter.py", cwd=tmp_path)
    assert run.returncode == 0, run.stdout
    assert "Found 1 problem (1 fixed, 0 remaining)." in run.stdout.decode()
    assert restate_lint("greeter.py", cwd=tmp_path).returncode == 0


def test_diff_prints_without_writing(tmp_path: Path) -> None:
    (tmp_path / "greeter.py").write_text(HANDLER)
    run = restate_lint("--diff", "greeter.py", cwd=tmp_path)
    assert (tmp_path / "greeter.py").read_text() == HANDLER
    assert run.returncode == 1
    assert run.stdout.decode().splitlines()[:3] == ["--- greeter.py", "+++ greeter.py", "@@ -7,5 +7,5 @@"]
    assert "-    ctx.sleep(timedelta(seconds=1))\n+    await ctx.sleep(timedelta(seconds=1))\n" in run.stdout.decode()
    assert "Would fix 1 problem." in run.stderr.decode()
    (tmp_path / "greeter.py").write_text(FIXED)
    assert restate_lint("--diff", "greeter.py", cwd=tmp_path).returncode == 0


def test_fix_only_reports_nothing_else(tmp_path: Path) -> None:
    (tmp_path / "greeter.py").write_text(HANDLER)
    (tmp_path / "echo.py").write_text(UNFIXABLE)
    run = restate_lint("--fix-only", ".", cwd=tmp_path)
    assert run.returncode == 0
    assert run.stdout.decode() == "Fixed 1 problem.\n"
    assert (tmp_path / "greeter.py").read_text() == FIXED


@pytest.mark.parametrize(
    "before",
    [
        HANDLER.replace("\n", "\r\n").encode(),
        b"\xef\xbb\xbf" + HANDLER.encode(),
        b"# -*- coding: latin-1 -*-\n# caf\xe9\n" + HANDLER.encode(),
        HANDLER.replace("\n", "\r").encode(),
    ],
    ids=["crlf", "bom", "latin-1", "cr"],
)
def test_fix_keeps_encoding_bom_newlines_and_mode(tmp_path: Path, before: bytes) -> None:
    path = tmp_path / "greeter.py"
    path.write_bytes(before)
    path.chmod(0o640)
    restate_lint("--fix", "greeter.py", cwd=tmp_path)
    assert path.read_bytes() == before.replace(b"    ctx.sleep(", b"    await ctx.sleep(")
    assert stat.S_IMODE(path.stat().st_mode) == 0o640
    assert [p.name for p in tmp_path.iterdir() if p.name != ".restate-lint-cache"] == ["greeter.py"]  # no temporary file left behind


def test_fix_leaves_unchanged_files_alone_and_links_as_links(tmp_path: Path) -> None:
    (tmp_path / "real.py").write_text(HANDLER)
    (tmp_path / "link.py").symlink_to("real.py")
    (tmp_path / "echo.py").write_text(UNFIXABLE)
    before = (tmp_path / "echo.py").stat()
    restate_lint("--fix", "link.py", "echo.py", cwd=tmp_path)
    assert (tmp_path / "link.py").is_symlink() and (tmp_path / "real.py").read_text() == FIXED
    after = (tmp_path / "echo.py").stat()
    assert (after.st_ino, after.st_mtime_ns) == (before.st_ino, before.st_mtime_ns)


def test_fix_on_standard_input_prints_the_fixed_code(tmp_path: Path) -> None:
    run = restate_lint("--fix", "-", "--stdin-filename", "greeter.py", cwd=tmp_path, stdin=HANDLER.encode())
    assert run.stdout.decode() == FIXED
    assert "Found 1 problem (1 fixed, 0 remaining)." in run.stderr.decode()
    assert not (tmp_path / "greeter.py").exists()


# -- the engine, with rules made up for the test ------------------------------------------

MODULE = "import restate\n\nx = a.c\n"


def use_checks(monkeypatch: pytest.MonkeyPatch, *checks) -> None:
    """Lint with these checks only: each reports RST202 (any enabled code would do)."""
    monkeypatch.setattr(check_stage, "CHECKS", [(frozenset({"RST202"}), check) for check in checks])


def rename(old: str, new: str, applicability: str = "safe"):
    def check(model, settings):
        for node in m.findall(model.tree, m.Name(old)):
            yield Finding("RST202", node, f"rename {old}", Fix(applicability, f"Rename to {new}", [NodeEdit(node, new)]))

    return check


def replace_attribute(model, settings):
    for node in m.findall(model.tree, m.Attribute(attr=m.Name("c"))):
        yield Finding("RST202", node, "attribute", Fix("safe", "Replace", [NodeEdit(node, "d")]))


def fix_module(tmp_path: Path, text: str = MODULE, unsafe: bool = False):
    path = tmp_path / "mod.py"
    path.write_text(text)
    outcome = fix_paths([path], Settings(root=tmp_path), unsafe)
    fixed = outcome.files.get(str(path))
    return outcome, (fixed.text if fixed else text)


def test_overlapping_fix_waits_for_the_next_round(monkeypatch, tmp_path: Path) -> None:
    use_checks(monkeypatch, rename("a", "b"), replace_attribute)
    outcome, text = fix_module(tmp_path)
    assert text == "import restate\n\nx = d\n"
    assert outcome.total_fixed == 2
    assert outcome.result.diagnostics == []


def test_fixes_that_do_not_settle_are_reported(monkeypatch, tmp_path: Path) -> None:
    use_checks(monkeypatch, rename("a", "b"), rename("b", "a"))
    outcome, _ = fix_module(tmp_path)
    assert outcome.unsettled == [str(tmp_path / "mod.py")]
    assert outcome.total_fixed == MAX_ROUNDS


def test_fix_that_breaks_the_syntax_is_dropped(monkeypatch, tmp_path: Path) -> None:
    use_checks(monkeypatch, rename("a", "a b"), rename("x", "y"))
    outcome, text = fix_module(tmp_path)
    assert text == "import restate\n\ny = a.c\n"  # the sound fix went in, the other did not
    assert len(outcome.dropped) == 1 and "would not parse" in outcome.dropped[0]


def test_fix_that_breaks_compilation_is_dropped(monkeypatch, tmp_path: Path) -> None:
    use_checks(monkeypatch, rename("a", "await a"))
    outcome, text = fix_module(tmp_path, "import restate\n\n\ndef f():\n    return a\n")
    assert text == "import restate\n\n\ndef f():\n    return a\n"
    assert outcome.dropped and not outcome.files


def test_fix_that_deletes_a_comment_is_dropped(monkeypatch, tmp_path: Path) -> None:
    def replace_call(model, settings):
        for node in m.findall(model.tree, m.Call()):
            yield Finding("RST202", node, "call", Fix("safe", "Replace", [NodeEdit(node, "g()")]))

    use_checks(monkeypatch, replace_call)
    outcome, text = fix_module(tmp_path, "import restate\n\nx = f(  # keep me\n    1,\n)\n")
    assert "# keep me" in text and not outcome.files
    assert "delete a comment" in outcome.dropped[0]


def test_fix_edits_go_in_together_or_not_at_all(monkeypatch, tmp_path: Path) -> None:
    def two_edits(model, settings):
        for node in m.findall(model.tree, m.Name("a")):
            # the second edit breaks the syntax, so the first must not go in alone
            yield Finding("RST202", node, "two", Fix("safe", "Both", [NodeEdit(node, "b"), NodeEdit(node, " (", "after")]))

    use_checks(monkeypatch, two_edits)
    outcome, text = fix_module(tmp_path)
    assert text == MODULE and outcome.dropped


def test_unsafe_fixes_only_on_request_and_with_a_warning(monkeypatch, tmp_path: Path) -> None:
    use_checks(monkeypatch, rename("a", "b", "unsafe"))
    path = tmp_path / "mod.py"
    path.write_text(MODULE)
    runner = CliRunner()
    safe_only = runner.invoke(main, ["--fix", str(path)])
    assert path.read_text() == MODULE
    assert safe_only.exit_code == 1
    assert "Found 1 problem (0 fixed, 1 remaining) (1 more fixable with --unsafe-fixes)." in safe_only.stdout
    unsafe = runner.invoke(main, ["--fix", "--unsafe-fixes", str(path)])
    assert path.read_text() == "import restate\n\nx = b.c\n"
    assert unsafe.exit_code == 0
    assert "applied 1 unsafe fix (RST202)" in unsafe.stderr and "journal" in unsafe.stderr


def test_node_edits_cover_the_parentheses_of_the_node(monkeypatch, tmp_path: Path) -> None:
    def name_the_tuple(model, settings):
        for handler in m.findall(model.tree, m.ExceptHandler(name=None)):
            yield Finding("RST202", handler, "name it", Fix("safe", "Name it", [NodeEdit(handler.type, " as e", "after")]))

    use_checks(monkeypatch, name_the_tuple)
    _, text = fix_module(tmp_path, "import restate\n\ntry:\n    pass\nexcept (KeyError, ValueError):\n    pass\n")
    assert "except (KeyError, ValueError) as e:\n" in text


def test_force_exclude_applies_the_excludes_to_named_files(tmp_path: Path) -> None:
    (tmp_path / "pyproject.toml").write_text('[tool.restate-lint]\nextend-exclude = ["generated"]\n')
    (tmp_path / "generated").mkdir()
    (tmp_path / "generated" / "greeter.py").write_text(HANDLER)
    assert restate_lint("generated/greeter.py", cwd=tmp_path).returncode == 1
    excluded = restate_lint("--force-exclude", "--fix", "generated/greeter.py", cwd=tmp_path)
    assert excluded.returncode == 0 and (tmp_path / "generated" / "greeter.py").read_text() == HANDLER


@pytest.mark.parametrize(
    ("line", "fixed"),
    [
        ("x = f()  # noqa: RST101", "x = f()"),
        ("x = f()  # noqa: RST101, E501", "x = f()  # noqa: E501"),
        ("x = f()  # noqa: RST101 the reason  # type: ignore", "x = f()  # type: ignore"),
        ("x = f()  # restate-lint: ignore[RST101] -- why  # pragma: no cover", "x = f()  # pragma: no cover"),
        ("x = f()  # restate-lint: ignore -- why", "x = f()"),
        ("x = f()  # see the docs # noqa: RST101", "x = f()  # see the docs"),
        ("# noqa: RST101", None),  # the line goes
    ],
)
def test_unused_suppression_fix(tmp_path: Path, line: str, fixed: str | None) -> None:
    """RST900's fix removes what suppressed nothing, and only that."""
    body = f"import restate\n\nsvc = restate.Service('S')\n\n\n@svc.handler()\nasync def h(ctx: restate.Context) -> None:\n    f = print\n    {line}\n    return None\n"
    (tmp_path / "h.py").write_text(body)
    outcome = fix_paths([tmp_path / "h.py"], Settings(root=tmp_path), False)
    lines = outcome.files[next(iter(outcome.files))].data.decode().splitlines() if outcome.files else body.splitlines()
    expected = body.splitlines()
    expected[8:9] = [] if fixed is None else ["    " + fixed]
    assert lines == expected
