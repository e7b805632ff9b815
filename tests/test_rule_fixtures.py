"""Every rule fixture produces exactly the diagnostics its markers name, at those lines."""

from __future__ import annotations

from pathlib import Path

import pytest

from fixtures_lib import Fixture, all_fixtures
from restate_lint.config import Settings
from restate_lint.runner import lint_paths


def lint_fixture(fixture: Fixture) -> set[tuple[str, int, str]]:
    result = lint_paths([fixture.path], fixture.settings())
    assert not result.internal_errors, result.internal_errors
    return {(Path(d.filename).resolve().relative_to(fixture.root.resolve()).as_posix(), d.start.row, d.code) for d in result.diagnostics}


@pytest.mark.parametrize("fixture", all_fixtures(), ids=lambda f: f.id)
def test_fixture(fixture: Fixture) -> None:
    expected = fixture.expected()
    if fixture.valid:
        assert not any(code == fixture.code for _, _, code in expected), "a valid fixture must not expect its own rule"
    else:
        assert any(code == fixture.code for _, _, code in expected), "an invalid fixture must expect its own rule"
    if fixture.versions:  # what compat reports between them: tests/deploy/test_compat_fixtures.py
        for version in fixture.versions:
            assert not lint_paths([version], Settings(root=version)).diagnostics, f"{version} is not clean"
        return
    assert lint_fixture(fixture) == expected
