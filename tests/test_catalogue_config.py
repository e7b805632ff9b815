"""The catalogue is data users extend and trim in [tool.restate-lint]."""

from __future__ import annotations

from pathlib import Path

from restate_lint.config import load
from restate_lint.runner import lint_paths

HANDLER = """import os

import restate
from mycorp import storage
from mycorp.flags import rollout_bucket

svc = restate.Service("Svc")


@svc.handler()
async def handle(ctx: restate.Context) -> str:
    storage.put_blob("a", b"")
    bucket = rollout_bucket()
    return os.environ.get("REGION", "eu") + str(bucket)
"""


def findings(tmp_path: Path, table: str) -> set[tuple[int, str]]:
    (tmp_path / "pyproject.toml").write_text("[tool.restate-lint]\n" + table)
    (tmp_path / "svc.py").write_text(HANDLER)
    settings = load(tmp_path / "pyproject.toml", tmp_path)
    return {(d.start.row, d.code) for d in lint_paths([tmp_path / "svc.py"], settings).diagnostics}


def test_builtin_catalogue_only(tmp_path: Path) -> None:
    assert findings(tmp_path, "") == {(14, "RST101")}


def test_extend_io_and_nondeterministic(tmp_path: Path) -> None:
    table = 'extend-io = ["mycorp.storage"]\nextend-nondeterministic = ["mycorp.flags.rollout_bucket"]\n'
    assert findings(tmp_path, table) == {(12, "RST102"), (13, "RST101"), (14, "RST101")}


def test_allow_trims_the_catalogue(tmp_path: Path) -> None:
    table = 'extend-io = ["mycorp"]\nallow = ["os.environ", "mycorp.storage.put_blob"]\n'
    assert findings(tmp_path, table) == {(13, "RST102")}
