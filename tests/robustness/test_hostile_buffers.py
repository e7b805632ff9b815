"""An editor buffer holding a lone surrogate (no encoding can save it) is still linted."""

from __future__ import annotations

from pathlib import Path

from harness import HANDLER, HANDLER_FINDING

from restate_lint.config import Settings
from restate_lint.lsp.session import buffer_bytes
from restate_lint.runner import lint_paths


def test_a_lone_surrogate_does_not_stop_the_buffer_being_linted(tmp_path: Path) -> None:
    path = tmp_path / "h.py"
    data = buffer_bytes(HANDLER + "note = '\ud800'\n")
    result = lint_paths([path], Settings(root=tmp_path), overrides={path: data})
    assert {(d.start.row, d.code) for d in result.diagnostics} == {HANDLER_FINDING}
