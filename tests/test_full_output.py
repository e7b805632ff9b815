"""The `full` output format (the default, as Ruff's) and the problem/help split of messages."""

from __future__ import annotations

import fcntl
import os
import pty
import re
import struct
import subprocess
import sys
import termios
import textwrap
from pathlib import Path

import pytest
from click.testing import CliRunner

from restate_lint.cli import main
from restate_lint.diagnostics import split_message

ROOT = Path(__file__).resolve().parent.parent

HANDLER = textwrap.dedent(
    """\
    import uuid

    import restate

    greeter = restate.Service("Greeter")


    @greeter.handler()
    async def greet(ctx: restate.Context, name: str) -> str:
        token = str(uuid.uuid4())
        return f"hello {name} {token}"
    """
)


def run(*args: str, cwd: Path):
    old = os.getcwd()
    os.chdir(cwd)
    try:
        return CliRunner().invoke(main, list(args), catch_exceptions=False)
    finally:
        os.chdir(old)


@pytest.mark.parametrize(
    ("message", "problem", "help"),
    [
        ("`uuid.uuid4(..)` creates a new id on every replay: use `ctx.uuid()`, which is seeded", "`uuid.uuid4(..)` creates a new id on every replay", "Use `ctx.uuid()`, which is seeded"),
        # the last sentence is the help, and colons before it belong to the problem
        ("`x` is shared: it differs (see `a. B`). Keep it in state", "`x` is shared: it differs (see `a. B`)", "Keep it in state"),
        # dots and colons inside code and brackets do not split
        ("`except: pass` hides (a: b. C) errors", "`except: pass` hides (a: b. C) errors", None),
        ("File cannot be parsed.", "File cannot be parsed", None),
    ],
)
def test_split_message(message: str, problem: str, help: str | None) -> None:
    assert split_message(message) == (problem, help)


def test_every_rule_message_splits_into_a_problem_and_a_help() -> None:
    """The fixtures report every rule: each message has a help, except the ones that only state a
    fact (a bad name, a syntax error)."""
    import json

    out = subprocess.run([sys.executable, "-m", "restate_lint", "--select", "ALL", "--output-format", "json", "--no-cache", "tests/fixtures"], cwd=ROOT, capture_output=True, text=True, timeout=300).stdout
    without_help = set()
    for d in json.loads(out):
        problem, help = split_message(d["message"])
        assert problem and "\n" not in problem
        if help is None:
            without_help.add(d["code"])
        else:
            assert help[0].isupper() or help[0] == "`", d["message"]
    assert without_help <= {"RST305", "RST999"}


def test_full_is_the_default(tmp_path: Path) -> None:
    (tmp_path / "app.py").write_text(HANDLER)
    result = run("--no-cache", "app.py", cwd=tmp_path)
    assert result.exit_code == 1
    assert result.output == textwrap.dedent(
        """\
        RST101 [*] `uuid.uuid4(..)` creates a new id on every replay
          --> app.py:10:17
           |
         8 | @greeter.handler()
         9 | async def greet(ctx: restate.Context, name: str) -> str:
        10 |     token = str(uuid.uuid4())
           |                 ^^^^^^^^^^^^
        11 |     return f"hello {name} {token}"
           |
        help: Use `ctx.uuid()`, which is seeded by the invocation
        fix: Use `ctx.uuid()` (safe: `--fix` applies it)

        Found 1 problem ([*] 1 fixable with --fix).
        """
    )
    assert run("--no-cache", "--output-format", "full", "app.py", cwd=tmp_path).output == result.output


def test_full_frame_aligns_tabs_wide_characters_and_escapes_control_characters(tmp_path: Path) -> None:
    tabbed = HANDLER.replace("    return", "\treturn").replace("    token = str(uuid.uuid4())", '\ttoken = "\x1b[31m界" + str(uuid.uuid4())')
    (tmp_path / "app.py").write_text(tabbed)
    lines = run("--no-cache", "app.py", cwd=tmp_path).output.splitlines()
    code = next(i for i, line in enumerate(lines) if line.startswith("10 |"))
    assert "\x1b" not in "".join(lines)
    assert lines[code] == '10 |     token = "\\x1b[31m界" + str(uuid.uuid4())'
    underline = lines[code + 1]
    # 界 takes two columns: the carets start under the `u` of uuid
    assert underline.index("^") == lines[code].index("uuid.uuid4") + 1
    assert underline.count("^") == len("uuid.uuid4()")


def test_unsafe_fix_is_named_and_not_starred(tmp_path: Path) -> None:
    (tmp_path / "app.py").write_text(textwrap.dedent(
        """\
        import restate

        greeter = restate.Service("Greeter")


        @greeter.handler()
        async def greet(ctx: restate.Context, name: str) -> str:
            for item in {"a", "b"}:
                await ctx.run_typed(item, lambda: None)
            return name
        """
    ))  # fmt: skip
    out = run("--no-cache", "app.py", cwd=tmp_path).output
    assert out.startswith("RST104 This loop walks a set")
    assert "fix: " in out and "(unsafe: only with `--fix --unsafe-fixes`" in out
    assert "(1 more fixable with --unsafe-fixes)" in out
    assert run("--no-cache", "--unsafe-fixes", "app.py", cwd=tmp_path).output.startswith("RST104 [*] ")


def test_concise_is_the_one_line_form(tmp_path: Path) -> None:
    (tmp_path / "app.py").write_text(HANDLER)
    out = run("--no-cache", "--output-format", "concise", "app.py", cwd=tmp_path).output
    assert out.splitlines() == ["app.py:10:17: RST101 [*] `uuid.uuid4(..)` creates a new id on every replay: use `ctx.uuid()`, which is seeded by the invocation"]


def test_full_in_a_subprocess(tmp_path: Path) -> None:
    (tmp_path / "app.py").write_text(HANDLER)
    proc = subprocess.run([sys.executable, "-m", "restate_lint", "--no-cache", "app.py"], cwd=tmp_path, capture_output=True, text=True, timeout=120)
    assert proc.returncode == 1
    assert proc.stdout.startswith("RST101 [*] `uuid.uuid4(..)` creates a new id on every replay\n  --> app.py:10:17\n")
    assert "\x1b" not in proc.stdout  # not a terminal: no colours
    assert proc.stdout.endswith("\n\nFound 1 problem ([*] 1 fixable with --fix).\n")


@pytest.mark.parametrize("fmt", ["full", "concise"])
def test_a_pipe_gets_the_characters_a_colour_run_shows(fmt: str) -> None:
    """Piped output is written without rich; colour forced (`--color always`, FORCE_COLOR) goes
    through rich: with the escapes taken out, both are the same characters."""
    def lint(*args: str, env: dict = {}) -> str:
        return subprocess.run([sys.executable, "-m", "restate_lint", "--no-cache", "--output-format", fmt, *args, "examples/"], cwd=ROOT, capture_output=True, text=True, timeout=300, env={**os.environ, "FORCE_COLOR": "", "TTY_COMPATIBLE": "", **env}).stdout

    plain = lint()
    assert "\x1b" not in plain and plain.count("RST") >= 9
    for coloured in (lint("--color", "always"), lint(env={"FORCE_COLOR": "1"})):
        assert "\x1b[" in coloured
        assert re.sub(r"\x1b\[[0-9;]*m", "", coloured) == plain
    assert "\x1b" not in lint(env={"FORCE_COLOR": "1", "TTY_COMPATIBLE": "0"})


def _under_pty(args: list[str], columns: int, cwd: Path) -> str:
    pid, fd = pty.fork()
    if pid == 0:  # the child: its standard streams are the terminal
        try:
            os.chdir(cwd)
            os.execv(sys.executable, [sys.executable, "-m", "restate_lint", *args])
        finally:
            os._exit(127)
    fcntl.ioctl(fd, termios.TIOCSWINSZ, struct.pack("HHHH", 24, columns, 0, 0))
    chunks = []
    while True:
        try:
            data = os.read(fd, 65536)
        except OSError:  # EIO: the child closed the terminal
            break
        if not data:
            break
        chunks.append(data)
    os.waitpid(pid, 0)
    os.close(fd)
    return b"".join(chunks).decode()


def test_examples_on_an_80_column_terminal() -> None:
    """What a user sees running `restate-lint examples/` in a terminal: coloured code frames and
    the summary, every line within 80 columns."""
    raw = _under_pty(["--no-cache", "examples/"], 80, ROOT)
    assert "\x1b[" in raw  # coloured
    text = re.sub(r"\x1b\[[0-9;]*m", "", raw).replace("\r\n", "\n")
    lines = text.splitlines()
    assert max(len(line) for line in lines) <= 80
    assert sum(1 for line in lines if re.match(r"^RST\d{3} ", line)) == 9
    assert sum(1 for line in lines if re.match(r"^ +--> examples/\w+\.py:\d+:\d+$", line)) == 9
    assert sum(1 for line in lines if re.match(r"^ +\| +\^+$", line)) == 9
    assert any(line.startswith("help: ") for line in lines)
    assert re.search(r"^Found 9 problems", text, re.MULTILINE)
    # the span of a long line stays in sight: RST201 is at column 100 of payments.py
    frame = text[text.index("examples/payments.py:26:100") :]
    code_line = next(line for line in frame.splitlines() if line.startswith("26 | "))
    underline = frame.splitlines()[frame.splitlines().index(code_line) + 1]
    assert code_line[underline.index("^") : underline.index("^") + 3] == "ctx"
