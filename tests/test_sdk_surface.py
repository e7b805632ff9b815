"""The committed SDK surface table is what scripts/sdk_surface.py finds in the released SDKs."""

from __future__ import annotations

import importlib.metadata
import json
import subprocess
import sys
from pathlib import Path

import pytest

from restate_lint.sdk_surface import Found, Missing, minor, parse, table

restate = pytest.importorskip("restate")

SCRIPT = Path(__file__).resolve().parent.parent / "scripts" / "sdk_surface.py"


def _installed_surface(tmp_path: Path) -> dict:
    """The installed SDK introspected the way the script does it: a fresh `python -S` that sees only
    the SDK's own files (optional dependencies of its extensions stay out, as in a clean install)."""
    package = Path(restate.__file__).parent
    dist = importlib.metadata.distribution("restate-sdk")
    (tmp_path / "restate").symlink_to(package)
    (tmp_path / Path(str(dist._path)).name).symlink_to(dist._path)  # the version is read from it
    out = subprocess.run(
        [sys.executable, "-S", str(SCRIPT), "--introspect"],
        capture_output=True, text=True, check=True, env={"PYTHONPATH": str(tmp_path)}, cwd=tmp_path,
    )  # fmt: skip
    return json.loads(out.stdout)


def test_table_matches_the_installed_sdk(tmp_path):
    found = _installed_surface(tmp_path)
    version = parse(found["version"])
    assert version in table().versions, f"restate-sdk {found['version']} is not in the table: run scripts/sdk_surface.py"
    index = table().versions.index(version)
    committed = {name: d for name, runs in table().names.items() for first, last, d in runs if first <= index <= last}
    assert committed.keys() == found["names"].keys(), sorted(committed.keys() ^ found["names"].keys())
    for name, description in found["names"].items():
        assert committed[name] == description, name


def test_table_has_every_minor_from_0_10_to_the_installed_one():
    versions = table().versions
    assert list(versions) == sorted(versions)
    installed = parse(importlib.metadata.version("restate-sdk"))
    minors = [v[:2] for v in versions]
    assert len(set(minors)) == len(minors)
    assert minors[0] == (0, 10) and installed[:2] in minors
    # no minor skipped between 0.10 and 1.x (0.18 was the last 0.x)
    expected = [(0, m) for m in range(10, 19)] + [(1, m) for m in range(0, installed[1] + 1)]
    assert [m for m in minors if m <= installed[:2]] == expected


def test_suspension_exception_left_restate_vm_in_0_11():
    """The fact behind issue 14's example: `restate.vm.SuspendedException` exists only up to 0.10."""
    assert isinstance(table().at((0, 10, 2)).lookup("restate.vm.SuspendedException"), Found)
    for target in ((0, 11, 0), (0, 18, 1), (1, 3, 0)):
        assert table().at(target).lookup("restate.vm.SuspendedException") == Missing("restate.vm", "SuspendedException")


def test_targets_stand_for_their_minor():
    t = table()
    assert t.at((0, 9, 1)) is None  # older than the table: nothing is known
    assert t.at((0, 10, 0)).version == (0, 10, 2)
    assert t.at((0, 10, 10**6)).version == (0, 10, 2)  # `restate-sdk<0.11`
    assert t.at((9, 0, 0)).version == t.newest
    assert t.at(None).version == t.newest
    assert minor(t.at((1, 0, 1)).version) == "1.0"


def test_lookup_follows_aliases_and_stops_where_the_table_cannot_tell():
    surface = table().at(None)
    found = surface.lookup("restate.RunOptions")
    assert isinstance(found, Found) and found.qualname == "restate.context.RunOptions"
    assert surface.lookup("restate.no_such_name") == Missing("restate", "no_such_name")
    assert surface.lookup("restate.context.Any.anything") is None  # imported from typing: not the SDK's
    assert surface.lookup("restate._internal.PyVM") is None  # private: not recorded
    assert surface.lookup("restate.Service.no_such_member") is None  # members may be set per instance


def test_version_facts_the_rules_read_from_the_table():
    """RULES.md's facts: suspension derives from Exception up to 0.10.2 only; RunOptions'
    max_retry_duration is ignored since 0.11.0, where max_duration came; signals came with 1.0."""
    t = table()
    assert [s.version[:2] for s in t.surfaces() if s.suspension_is_exception()] == [(0, 10)]
    assert t.since(lambda s: s.ignores_max_retry_duration()) == (0, 11, 0)
    assert t.since(lambda s: s.returns_awaitable("signal") is True) == (1, 0, 5)
    assert all(s.returns_awaitable("value", on_promise=True) for s in t.surfaces())
