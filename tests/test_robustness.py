"""Bad input never crashes the run: one RST999 per unreadable file, the rest still linted."""

from __future__ import annotations

import textwrap
from pathlib import Path

from hypothesis import HealthCheck, given, settings, strategies as st

from restate_lint.config import Settings
from restate_lint.runner import lint_paths

GOOD = textwrap.dedent(
    """\
    import restate

    svc = restate.Service("svc")


    @svc.handler()
    def sync(ctx: restate.Context) -> None:
        pass
    """
)


def lint_dir(folder: Path):
    result = lint_paths([folder], Settings(root=folder))
    assert not result.internal_errors
    return {(Path(d.filename).name, d.start.row, d.code) for d in result.diagnostics}


def test_bad_files_are_one_rst999_each_and_the_run_goes_on(tmp_path: Path) -> None:
    (tmp_path / "binary.py").write_bytes(b"\x00\xff\xfe\x89PNG\r\n\x1a\n")
    (tmp_path / "latin1.py").write_bytes("name = 'caf\xe9'\n".encode("latin-1"))
    (tmp_path / "syntax.py").write_text("import restate\n\ndef broken(:\n    pass\n")
    (tmp_path / "empty.py").write_text("")
    (tmp_path / "plain.py").write_text("import time\n\ntry:\n    time.time()\nexcept:\n    pass\n")
    (tmp_path / "ok.py").write_text(GOOD)
    assert lint_dir(tmp_path) == {
        ("binary.py", 1, "RST999"),
        ("latin1.py", 1, "RST999"),
        ("syntax.py", 3, "RST999"),
        ("ok.py", 7, "RST304"),
    }


def test_deeply_nested_code_is_reported_not_crashed(tmp_path: Path) -> None:
    (tmp_path / "deep.py").write_text("import restate\nx = " + "(" * 5000 + "1" + ")" * 5000 + "\n")
    (tmp_path / "ok.py").write_text(GOOD)
    found = lint_dir(tmp_path)
    assert ("deep.py", 1, "RST999") in {(f, 1, c) for f, _, c in found if f == "deep.py"}
    assert ("ok.py", 7, "RST304") in found


@settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(st.text(alphabet=st.sampled_from(list("restate.ctx()[]{}:=\n #'\"\\asyncdefawaitrun_typed,0é🎉")), max_size=200))
def test_arbitrary_text_never_crashes(tmp_path: Path, text: str) -> None:
    path = tmp_path / "fuzz.py"
    path.write_text("import restate\n" + text, encoding="utf-8")
    result = lint_paths([path], Settings(root=tmp_path))
    assert not result.internal_errors
    assert all(d.start.row >= 1 and d.start.column >= 1 for d in result.diagnostics)


PLAIN_WITH_RESTATE_IMPORTED = textwrap.dedent(
    """\
    import asyncio
    import os
    import random
    import time
    import uuid

    import restate


    def timestamp() -> float:
        try:
            return time.time()
        except:  # noqa: E722 - plain Python, no handler anywhere near
            return 0.0


    async def crawl(urls: set) -> list:
        out = []
        for url in urls:
            out.append(await asyncio.sleep(0, result=url))
        return out


    class Runner:
        def run(self, name: str, action) -> object:
            return action()

        def sleep(self, seconds: float) -> None:
            time.sleep(seconds)


    def main(ctx: dict) -> str:
        ctx["id"] = str(uuid.uuid4())
        Runner().run("x", lambda: ctx.get("id"))
        print(os.environ.get("HOME"), random.random())
        return ctx["id"]


    CLIENT = restate.create_client
    """
)


def test_plain_python_is_quiet_with_every_rule(tmp_path: Path) -> None:
    (tmp_path / "plain.py").write_text(PLAIN_WITH_RESTATE_IMPORTED)
    result = lint_paths([tmp_path], Settings(root=tmp_path, select=("ALL",)))
    assert not result.internal_errors
    assert result.diagnostics == []


def test_code_for_a_newer_python_is_not_a_syntax_error(tmp_path: Path) -> None:
    # PEP 701 f-strings (3.12) are rejected by CPython 3.11's parser but are valid code to lint
    (tmp_path / "new.py").write_text('import restate\nanswer = None\nprint(f"Solution: {(answer or "n/a")[:100]}")\n')
    assert lint_dir(tmp_path) == set()
