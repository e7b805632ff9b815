"""Files built to crash or exhaust the parser are one RST999 each; valid code that looks deep is
linted; the other files of the run are reported as usual."""

from __future__ import annotations

from pathlib import Path

from harness import HANDLER, HANDLER_FINDING, findings, lint

# Chains that segfault libcst's native parser or take it many seconds and gigabytes: each must
# be stopped before libcst sees it, in files that import restate (modelled) and in plain files
# (checked by CPython's parser, then confirmed by libcst).
BOMBS = {
    "unary": "x = " + "-" * 8000 + "1\n",
    "nots": "x = " + "not " * 8000 + "a\n",
    "power": "x = " + "**".join(["2"] * 7000) + "\n",
    "attributes": "x = a" + ".b" * 6000 + "\n",
    "lambdas": "x = " + "lambda: " * 3500 + "1\n",
    "lambdas_with_parameters": "x = " + "lambda a, b=1: " * 3500 + "1\n",
    "conditionals": "x = " + "1 if c else " * 5600 + "1\n",
    "conditionals_10k": "x = " + "1 if c else " * 10000 + "1\n",
    "plus": "x = " + "+".join(["1"] * 8000) + "\n",
    "subscripts": "x = a" + "[0]" * 3000 + "\n",
    "brackets_behind_a_string": "x = '" + ")" * 1300 + "'\ny = " + "(" * 1300 + "1" + ")" * 1300 + "\n",
    "fstring_field": "x = f'{" + "(" * 1300 + "1" + ")" * 1300 + "}'\n",
}


def test_nesting_bombs_are_one_rst999_each(tmp_path: Path) -> None:
    for name, body in BOMBS.items():
        (tmp_path / f"{name}_handler.py").write_text(HANDLER + body)
        (tmp_path / f"{name}_plain.py").write_text(body)
    (tmp_path / "ok.py").write_text(HANDLER)
    done = lint("--format", "concise", str(tmp_path), cwd=tmp_path)
    assert done.returncode == 1, done.stderr
    found = findings(done)
    for name in BOMBS:
        assert len(found.get(f"{name}_handler.py", ())) == 1 and {c for _, c in found[f"{name}_handler.py"]} == {"RST999"}, name
        # a plain file is only checked for syntax: what CPython compiles is fine, the rest RST999
        assert {c for _, c in found.get(f"{name}_plain.py", ())} <= {"RST999"} and len(found.get(f"{name}_plain.py", ())) <= 1, name
    assert found["ok.py"] == {HANDLER_FINDING}


# Valid code that a bracket count on the raw text, or libcst on its own, rejects.
VALID = {
    "brackets_in_a_string": "x = '" + "(" * 1300 + "'\n",
    "brackets_in_a_comment": "# " + "[" * 500 + "\n",
    "many_adjacent_strings": "x = (" + " ".join(['"a"'] * 5000) + ")\n",
    "many_adjacent_strings_on_lines": "x = (\n" + "".join('    "a"\n' for _ in range(5000)) + ")\n",
}


def test_valid_code_is_not_a_syntax_error(tmp_path: Path) -> None:
    for name, body in VALID.items():
        (tmp_path / f"{name}.py").write_text(HANDLER + body)
    # CPython compiles a backslash and a CRLF at the end of the file
    (tmp_path / "continuation_at_the_end.py").write_bytes(HANDLER.replace("\n", "\r\n").encode() + b"x = 1\\\r\n")
    done = lint("--format", "concise", str(tmp_path), cwd=tmp_path)
    assert done.returncode == 1, done.stderr
    found = findings(done)
    for name in [*VALID, "continuation_at_the_end"]:
        assert found.get(f"{name}.py") == {HANDLER_FINDING}, (name, found.get(f"{name}.py"))
