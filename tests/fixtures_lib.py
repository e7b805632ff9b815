"""Reading rule fixtures: which exist, and what each one expects (`# expect:` markers)."""

from __future__ import annotations

import re
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
