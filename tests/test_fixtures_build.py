"""Valid fixtures are real Restate code: they import and build an app with the real SDK."""

from __future__ import annotations

import pytest

restate = pytest.importorskip("restate")

from fixtures_lib import Fixture, all_fixtures, import_modules, restate_services  # noqa: E402


@pytest.mark.parametrize("fixture", [f for f in all_fixtures() if f.valid], ids=lambda f: f.id)
def test_valid_fixture_builds_an_app(fixture: Fixture) -> None:
    for root in fixture.versions or (fixture.root,):  # each version of a compat pair is its own app
        files = sorted(root.glob("*.py")) if fixture.versions else fixture.files()
        restate.app(restate_services(import_modules(root, files)))  # raises on definitions the SDK rejects
