"""Every fix the rules offer on the invalid fixtures, applied and compared with a reviewed file.

`invalid_x.py` -> `invalid_x.py.fixed` (safe fixes applied) and `invalid_x.py.unsafe-fixed` (safe and
unsafe fixes applied), next to the fixture file (inside a fixture folder, next to each module).
A fixture gets one only when such fixes change its text; see tests/fixtures/README.md.
"""

from __future__ import annotations

import ast
from pathlib import Path

import pytest

from fixtures_lib import MARKER, Fixture, all_fixtures
from restate_lint.runner import lint_paths
from restate_lint.fixes import Outcome, applies, fix_paths

MODES = {False: ".fixed", True: ".unsafe-fixed"}


def _key(filename: str) -> Path:
    return Path(filename).resolve()


def _marker_rows(text: str) -> list[int]:
    return [row for row, line in enumerate(text.splitlines(), start=1) if MARKER.search(line)]


def _fix(fixture: Fixture, unsafe: bool, overrides: dict | None = None) -> Outcome:
    outcome = fix_paths([fixture.path], fixture.settings(), unsafe, overrides)
    assert not outcome.result.internal_errors, outcome.result.internal_errors
    assert not outcome.dropped, outcome.dropped
    assert not outcome.unsettled, outcome.unsettled
    return outcome


def _check_expected(file: Path, suffix: str, before: bytes, after: bytes, diff: str, option: str) -> None:
    expected = file.with_name(file.name + suffix)
    if before == after:
        assert not expected.exists(), f"{expected} is stale: the fixes it records are no longer offered; delete it"
        return
    assert expected.exists(), (
        f"{file} has fixes ({suffix[1:]}) but no {expected.name} next to it. Review the diff below "
        f"(also `restate-lint --diff{option} --extend-select CODE {file}`); if every change is right, "
        f"write the fixed file to {expected} (if one is wrong, fix the rule instead).\n\n{diff}"
    )
    assert after == expected.read_bytes(), f"the fixed {file.name} differs from {expected.name}:\n{diff}"


def _check_fixed_places(fixture: Fixture, unsafe: bool, outcome: Outcome, originals: dict[Path, str]) -> None:
    """A fixed problem is no longer reported on its line (found again by its `# expect:` comment)."""
    fixed = {f.path.resolve(): f.text for f in outcome.files.values()}
    after = {(_key(d.filename), d.start.row, d.code) for d in outcome.result.diagnostics}
    for d in lint_paths([fixture.path], fixture.settings()).diagnostics:
        if not applies(d.fix, unsafe):
            continue
        path = _key(d.filename)
        before_rows = _marker_rows(originals[path])
        after_rows = _marker_rows(fixed.get(path, originals[path]))
        assert len(before_rows) == len(after_rows), f"{path.name}: a fix removed or added an `# expect:` comment"
        assert d.start.row in before_rows, f"{path.name}:{d.start.row}: {d.code} has no `# expect:` comment on its line"
        row = after_rows[before_rows.index(d.start.row)]
        assert (path, row, d.code) not in after, f"{path.name}:{row}: {d.code} is still reported after its fix ({d.fix.message})"


@pytest.mark.parametrize("fixture", [f for f in all_fixtures() if not f.valid], ids=lambda f: f.id)
def test_fixture_fixes(fixture: Fixture) -> None:
    originals = {file.resolve(): file.read_bytes() for file in fixture.files()}
    texts = {path: data.decode("utf-8", errors="replace") for path, data in originals.items()}
    previous = dict(originals)  # the unsafe-fixed file records what the unsafe fixes add
    for unsafe, suffix in MODES.items():
        outcome = _fix(fixture, unsafe)
        fixed = {f.path.resolve(): f for f in outcome.files.values()}
        for path in originals:
            after = fixed[path].data if path in fixed else originals[path]
            diff = fixed[path].diff() if path in fixed else ""
            _check_expected(path, suffix, previous[path], after, diff, " --unsafe-fixes" if unsafe else "")
            previous[path] = after
        for f in fixed.values():
            ast.parse(f.text)
        _check_fixed_places(fixture, unsafe, outcome, texts)
        if fixed:  # idempotence: fixing the fixed code changes nothing
            again = _fix(fixture, unsafe, {path: f.data for path, f in fixed.items()})
            assert not again.files, f"a second fix round still changes {sorted(again.files)}"
