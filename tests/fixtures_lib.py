"""Reading rule fixtures: which exist, and what each one expects (`# expect:` markers)."""

from __future__ import annotations

import importlib.util
import re
import sys
from dataclasses import dataclass
from pathlib import Path

from restate_lint.config import Settings

FIXTURES = Path(__file__).parent / "fixtures"
MARKER = re.compile(r"#\s*expect:\s*(RST\d{3}(?:\s*,\s*RST\d{3})*)")


@dataclass(frozen=True)
class Fixture:
    code: str
    path: Path  # a .py file, or a folder linted as one project

    @property
    def valid(self) -> bool:
        return self.path.name.startswith("valid")

    @property
    def id(self) -> str:
        return f"{self.code}/{self.path.name}"

    @property
    def root(self) -> Path:
        return self.path if self.path.is_dir() else self.path.parent

    def settings(self) -> Settings:
        """The fixture's project: the default rules plus its own (so info rules are on in their folder)."""
        return Settings(root=self.root, extend_select=(self.code,))

    @property
    def versions(self) -> "tuple[Path, Path] | None":
        """A compat fixture (RST8xx) is a pair of versions, `v1/` and `v2/`, each its own project."""
        pair = (self.path / "v1", self.path / "v2")
        return pair if all(p.is_dir() for p in pair) else None

    def files(self) -> list[Path]:
        return sorted(self.path.rglob("*.py")) if self.path.is_dir() else [self.path]

    def expected(self) -> set[tuple[str, int, str]]:
        """(file name relative to the fixture root, line, code) for every marker."""
        found = set()
        for file in self.files():
            rel = file.relative_to(self.root).as_posix()
            text = file.read_bytes().decode("utf-8", errors="replace")
            for row, line in enumerate(re.split(r"\r\n|\r|\n", text), start=1):
                m = MARKER.search(line)
                if m:
                    found |= {(rel, row, code.strip()) for code in m.group(1).split(",")}
            side = file.with_suffix(".expect")
            if side.is_file():
                for line in side.read_text().split("\n"):
                    if line.strip():
                        row, code = line.split()
                        found.add((rel, int(row), code))
        return found


def all_fixtures() -> list[Fixture]:
    fixtures = []
    for folder in sorted(FIXTURES.glob("RST*")):
        for entry in sorted(folder.iterdir()):
            if entry.name.startswith(("valid", "invalid")) and (entry.is_dir() or entry.suffix == ".py"):
                fixtures.append(Fixture(folder.name, entry))
    return fixtures


# Agent frameworks and model clients the integration fixtures use. The test extras install the
# ones that install quickly; without one, its fixtures are skipped where they are imported, and
# tests/test_integration_sources.py checks the names they use against the package's wheel.
OPTIONAL_PACKAGES = frozenset({"agents", "openai", "anthropic", "pydantic_ai", "langchain", "langchain_core",
                               "langchain_openai", "langgraph", "google", "litellm"})


def import_modules(root: Path, files: list[Path]) -> list:
    """Import every module of a fixture (or any folder) in isolation, named from `root`; return
    the module objects. A fixture that needs an optional framework not installed is skipped."""
    import pytest

    try:
        return _import_modules(root, files)
    except ModuleNotFoundError as error:
        if (error.name or "").split(".")[0] not in OPTIONAL_PACKAGES:
            raise
        pytest.skip(f"{error.name} is not installed")


def _import_modules(root: Path, files: list[Path]) -> list:
    before = set(sys.modules)
    sys.path.insert(0, str(root))
    try:
        modules = []
        for file in files:
            name = ".".join(file.relative_to(root).with_suffix("").parts)
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
        sys.path.remove(str(root))
        for name in set(sys.modules) - before:
            # the fixture's own modules; libraries stay (a re-imported pydantic breaks the SDK's models)
            if str(getattr(sys.modules[name], "__file__", None) or "").startswith(str(root)):
                del sys.modules[name]


def restate_services(modules: list) -> list:
    """The Service / VirtualObject / Workflow objects the modules define, each once."""
    import restate

    services = []
    for module in modules:
        for value in vars(module).values():
            if isinstance(value, (restate.Service, restate.VirtualObject, restate.Workflow)) and value not in services:
                services.append(value)
    return services
