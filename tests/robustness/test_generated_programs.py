"""A bounded run of generated programs (hypothesmith: from Python's grammar, so mostly odd but
valid code), each also made a handler module: the whole batch is linted in one subprocess under
the memory and time limits, and must end with findings or none, never an error or a traceback.
A regression net rather than a reproduction: today's engine passes it."""

from __future__ import annotations

from pathlib import Path

import hypothesmith
import pytest
from harness import lint
from hypothesis import HealthCheck, given, settings

PROGRAMS = 150  # generating is the slow part (about 0.2 s a program)


@pytest.mark.filterwarnings("ignore::SyntaxWarning")  # hypothesmith compiles what it generates
def test_generated_programs_never_crash_the_run(tmp_path: Path) -> None:
    programs: list[str] = []

    @settings(max_examples=PROGRAMS, deadline=None, database=None, suppress_health_check=list(HealthCheck))
    @given(hypothesmith.from_grammar())
    def collect(source: str) -> None:
        programs.append(source)

    collect()
    for i, source in enumerate(programs):
        (tmp_path / f"plain_{i}.py").write_text(source, encoding="utf-8", errors="surrogatepass")
        (tmp_path / f"handler_{i}.py").write_text("import restate\n" + source, encoding="utf-8", errors="surrogatepass")
    done = lint("--format", "concise", "--select", "ALL", ".", cwd=tmp_path)
    assert done.returncode in (0, 1), done.stderr
    assert done.stderr == b""
