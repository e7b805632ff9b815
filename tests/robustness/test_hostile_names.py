"""File names that are not UTF-8 or hold control characters: every output format still prints
one valid document (or one line per problem), in a strict UTF-8 output encoding."""

from __future__ import annotations

import json
import os
import xml.etree.ElementTree as ET
from pathlib import Path

from harness import HANDLER, lint

NAMES = {b"bad\xff.py": "bad\\xff.py", b"ctl\x01.py": "ctl\\x01.py", b"new\nline.py": "new\\nline.py", b"ok.py": "ok.py"}


def run(tmp_path: Path, fmt: str):
    for name in NAMES:
        with open(os.path.join(os.fsencode(tmp_path), name), "wb") as f:
            f.write(HANDLER.encode())
    env = {**os.environ, "PYTHONIOENCODING": "utf-8"}  # strict: a lone surrogate cannot be written
    done = lint("--format", fmt, ".", cwd=tmp_path, env=env)
    assert done.returncode == 1, done.stderr
    assert done.stderr == b""
    return done.stdout.decode("utf-8")


def test_text_and_concise_print_one_line_per_problem_with_names_escaped(tmp_path: Path) -> None:
    for fmt in ("text", "concise"):
        lines = run(tmp_path, fmt).splitlines()
        assert sorted(line.split(":")[0] for line in lines) == sorted(NAMES.values()), lines


def test_sarif_and_json_are_valid_documents(tmp_path: Path) -> None:
    sarif = json.loads(run(tmp_path, "sarif"))
    uris = {r["locations"][0]["physicalLocation"]["artifactLocation"]["uri"] for r in sarif["runs"][0]["results"]}
    assert uris == {"bad%FF.py", "ctl%01.py", "new%0Aline.py", "ok.py"}
    assert sorted(d["filename"] for d in json.loads(run(tmp_path, "json"))) == sorted(["bad\\xff.py", "ctl\x01.py", "new\nline.py", "ok.py"])


def test_junit_is_valid_xml(tmp_path: Path) -> None:
    suites = ET.fromstring(run(tmp_path, "junit"))
    assert sorted(s.get("name") for s in suites) == sorted(NAMES.values())
