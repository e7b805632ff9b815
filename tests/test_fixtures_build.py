"""Valid fixtures are real Restate code: they import and build an app with the real SDK."""

from __future__ import annotations

import importlib.util
import sys

import pytest

restate = pytest.importorskip("restate")

from fixtures_lib import Fixture, all_fixtures  # noqa: E402


def _import(fixture: Fixture) -> list:
    """Import every module of the fixture in isolation; return the module objects."""
    before = set(sys.modules)
    sys.path.insert(0, str(fixture.root))
    try:
        modules = []
        for file in fixture.files():
            name = ".".join(file.relative_to(fixture.root).with_suffix("").parts)
            if name in sys.modules:
                modules.append(sys.modules[name])
                continue
            spec = importlib.util.spec_from_file_location(name, file)
            module = importlib.util.module_from_spec(spec)
            sys.modules[name] = module
            spec.loader.exec_module(module)
            modules.append(module)
        return modules
    finally:
        sys.path.remove(str(fixture.root))
        for name in set(sys.modules) - before:
            # the fixture's own modules; libraries stay (a re-imported pydantic breaks the SDK's models)
            if str(getattr(sys.modules[name], "__file__", None) or "").startswith(str(fixture.root)):
                del sys.modules[name]


# Agent frameworks and model clients the integration fixtures use. The test extras install the
# ones that install quickly; without one, its fixtures are skipped here, and
# tests/test_integration_sources.py checks the names they use against the package's wheel.
OPTIONAL_PACKAGES = frozenset({"agents", "openai", "anthropic", "pydantic_ai", "langchain", "langchain_core",
                               "langchain_openai", "langgraph", "google", "litellm"})


@pytest.mark.parametrize("fixture", [f for f in all_fixtures() if f.valid], ids=lambda f: f.id)
def test_valid_fixture_builds_an_app(fixture: Fixture) -> None:
    try:
        modules = _import(fixture)
    except ModuleNotFoundError as error:
        if (error.name or "").split(".")[0] not in OPTIONAL_PACKAGES:
            raise
        pytest.skip(f"{error.name} is not installed")
    services = []
    for module in modules:
        for value in vars(module).values():
            if isinstance(value, (restate.Service, restate.VirtualObject, restate.Workflow)) and value not in services:
                services.append(value)
    restate.app(services)  # raises on definitions the SDK rejects
