"""Valid fixtures are real Restate code: they import and build an app with the real SDK."""

from __future__ import annotations

import pytest

restate = pytest.importorskip("restate")

from fixtures_lib import Fixture, all_fixtures, import_modules, restate_services  # noqa: E402


# Agent frameworks and model clients the integration fixtures use. The test extras install the
# ones that install quickly; without one, its fixtures are skipped here, and
# tests/test_integration_sources.py checks the names they use against the package's wheel.
OPTIONAL_PACKAGES = frozenset({"agents", "openai", "anthropic", "pydantic_ai", "langchain", "langchain_core",
                               "langchain_openai", "langgraph", "google", "litellm"})


@pytest.mark.parametrize("fixture", [f for f in all_fixtures() if f.valid], ids=lambda f: f.id)
def test_valid_fixture_builds_an_app(fixture: Fixture) -> None:
    for root in fixture.versions or (fixture.root,):  # each version of a compat pair is its own app
        files = sorted(root.glob("*.py")) if fixture.versions else fixture.files()
        try:
            modules = import_modules(root, files)
        except ModuleNotFoundError as error:
            if (error.name or "").split(".")[0] not in OPTIONAL_PACKAGES:
                raise
            pytest.skip(f"{error.name} is not installed")
        restate.app(restate_services(modules))  # raises on definitions the SDK rejects
