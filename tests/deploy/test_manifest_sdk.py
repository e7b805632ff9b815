"""The static manifest is the SDK's own view: each valid fixture and examples/ served by the real
SDK (its ASGI app asked for /discover in-process) announce the same services, types, handlers and
handler kinds as `restate-lint manifest` derives. Any difference is a model bug."""

from __future__ import annotations

import asyncio
import json
from pathlib import Path

import pytest

restate = pytest.importorskip("restate")

from fixtures_lib import all_fixtures, import_modules, restate_services  # noqa: E402
from restate_lint.config import Settings  # noqa: E402
from restate_lint.deploy.sources import tree_manifest  # noqa: E402

ROOT = Path(__file__).resolve().parents[2]
# known model gaps: the SDK registers these handlers, the model does not see them
PROJECTS = [
    pytest.param(f.root if f.path.is_dir() else f.path, f.files(), id=f.id)
    for f in all_fixtures() if f.valid and not f.versions
]  # fmt: skip
# both versions of every compat pair, valid and invalid
PROJECTS += [pytest.param(v, sorted(v.glob("*.py")), id=f"{f.id}/{v.name}") for f in all_fixtures() if f.versions for v in f.versions]
PROJECTS.append(pytest.param(ROOT / "examples", sorted((ROOT / "examples").glob("*.py")), id="examples"))


def discovery(app) -> dict:
    """The body the SDK answers a server's discovery request with."""
    scope = {"type": "http", "http_version": "2", "method": "GET", "path": "/discover", "query_string": b"", "root_path": "",
             "headers": [(b"accept", b"application/vnd.restate.endpointmanifest.v4+json")]}
    sent = []

    async def receive():
        return {"type": "http.request", "body": b"", "more_body": False}

    async def send(message):
        sent.append(message)

    asyncio.run(app(scope, receive, send))
    assert sent[0]["status"] == 200, sent
    return json.loads(b"".join(m.get("body", b"") for m in sent if m["type"] == "http.response.body"))


def _sdk_view(found: dict) -> dict:
    return {(s["name"], s["ty"]): {(h["name"], h.get("ty")) for h in s["handlers"]} for s in found["services"]}


def _our_view(manifest: dict) -> dict:
    return {(s["name"], s["type"]): {(h["name"], h["kind"]) for h in s["handlers"]} for s in manifest["services"]}


@pytest.mark.parametrize("path, files", PROJECTS)
def test_manifest_equals_the_sdk_discovery(path, files) -> None:
    root = path if path.is_dir() else path.parent
    sdk = discovery(restate.app(restate_services(import_modules(root, files))))
    ours = tree_manifest(path, lambda at: Settings(root=at))
    assert _our_view(ours) == _sdk_view(sdk)
    assert not ours["failures"]
