"""The oracle's fixtures: one restate-server per session, one deployment process per test."""

from __future__ import annotations

import os
import uuid
from pathlib import Path

import pytest

from tests.oracle.counter import CountingService
from tests.oracle.client import Client
from tests.oracle.deployment import Deployment
from tests.oracle.server import BINARY, RestateServer

FIXTURES = Path(__file__).resolve().parents[1] / "fixtures"

MISSING = f"restate-server not installed ({BINARY.relative_to(BINARY.parents[4])} missing): run `npm ci` at the repo root"


@pytest.fixture(scope="session")
def restate_binary() -> Path:
    """Every oracle test skips with the one reason when the server is not installed; not in CI."""
    if not BINARY.is_file():
        if os.environ.get("CI") == "true":
            pytest.fail(MISSING)  # CI must run the oracle, never skip it silently
        pytest.skip(MISSING)
    return BINARY


@pytest.fixture(scope="session")
def server(restate_binary):
    running = RestateServer()
    yield running
    running.stop()


@pytest.fixture
def client(server) -> Client:
    return Client(server)


@pytest.fixture
def deploy(server, client):
    """deploy("RST203/invalid_called_action.py", ..., replays=, instances=, env=): serve fixture files
    (or folders) as one deployment and register it; see Deployment."""
    started: list[Deployment] = []

    def start(*fixtures: str, **how) -> Deployment:
        deployment = Deployment(server, [FIXTURES / name for name in fixtures], **how)
        started.append(deployment)
        return deployment

    yield start
    client.kill_unfinished()
    for deployment in started:
        deployment.stop()


@pytest.fixture
def key() -> str:
    """A fresh virtual-object key or workflow id: no test waits behind another's leftovers."""
    return uuid.uuid4().hex


@pytest.fixture
def counter():
    """A local service that counts requests (a payment provider, an avatar host)."""
    service = CountingService()
    yield service
    service.stop()
