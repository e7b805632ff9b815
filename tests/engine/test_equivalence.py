"""The cached and parallel paths give exactly the answers of a plain one-process run, whatever
the order or the subset of the paths named."""

from __future__ import annotations

import random
import shutil
from pathlib import Path

import pytest

from fixtures_lib import all_fixtures
from restate_lint import runner
from restate_lint.cache import Cache
from restate_lint.config import Settings
from restate_lint.runner import lint_paths

FIXTURE_PROJECTS = [f for f in all_fixtures() if f.path.is_dir()]


def found(result) -> list[tuple]:
    return [(Path(d.filename).resolve().as_posix(), d.start, d.end, d.code, d.message, repr(d.fix)) for d in result.diagnostics]


@pytest.fixture
def parallel(monkeypatch):
    """Worker processes for any amount of work (they are kept for large runs otherwise)."""
    monkeypatch.setattr(runner, "PARALLEL_BYTES", 0)


@pytest.mark.parametrize("fixture", FIXTURE_PROJECTS, ids=lambda f: f.id)
def test_cached_and_parallel_runs_match_a_plain_run(fixture, tmp_path: Path, parallel) -> None:
    settings = fixture.settings()
    plain = found(lint_paths([fixture.path], settings, jobs=1))
    cache = tmp_path / "cache"
    cold = found(lint_paths([fixture.path], settings, cache=Cache(cache), jobs=2))
    warm = found(lint_paths([fixture.path], settings, cache=Cache(cache), jobs=2))
    assert cold == plain
    assert warm == plain


def _project(tmp_path: Path) -> Path:
    """Every multi-file fixture side by side in one project, with an edit to come."""
    root = tmp_path / "project"
    for index, fixture in enumerate(FIXTURE_PROJECTS):
        shutil.copytree(fixture.path, root / f"app{index}")
    (root / "pyproject.toml").write_text("[tool.restate-lint]\nselect = ['ALL']\n")
    return root


def test_warm_cache_after_an_edit_matches_a_plain_run(tmp_path: Path, parallel) -> None:
    root = _project(tmp_path)
    settings = Settings(root=root, select=("ALL",))
    cache = Cache(tmp_path / "cache")
    lint_paths([root], settings, cache=cache, jobs=2)
    edited = sorted(root.rglob("*.py"))[7]
    edited.write_text(edited.read_text() + "\n\nimport time\nSTARTED = time.time()\n")
    assert found(lint_paths([root], settings, cache=cache, jobs=2)) == found(lint_paths([root], settings, jobs=1))


def test_answers_do_not_depend_on_the_order_or_subset_of_paths(tmp_path: Path) -> None:
    root = _project(tmp_path)
    settings = Settings(root=root, select=("ALL",))
    files = sorted(root.rglob("*.py"))
    whole = set(found(lint_paths([root], settings)))
    shuffled = files[:]
    random.Random(7).shuffle(shuffled)
    assert set(found(lint_paths(shuffled, settings))) == whole
    for file in files[::5]:
        alone = set(found(lint_paths([file], settings)))
        assert alone == {d for d in whole if d[0] == file.resolve().as_posix()}
