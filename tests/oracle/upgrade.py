"""Upgrades for the compat oracle: one fresh server per test, a compat fixture's v1 served and
registered as a deployment, then its v2 registered as a new deployment or put in place of v1's."""

from __future__ import annotations

from pathlib import Path
from typing import Optional

from tests.oracle.client import Client
from tests.oracle.deployment import _Child
from tests.oracle.server import RestateServer, http

FIXTURES = Path(__file__).resolve().parents[1] / "fixtures"


class Upgrade:
    def __init__(self, server: RestateServer, fixture: str) -> None:
        self.server = server
        self.client = Client(server)
        self.root = FIXTURES / fixture
        self.children: list[_Child] = []
        self.v1: Optional[str] = None  # v1's deployment id

    def serve(self, version: str) -> _Child:
        child = _Child("tests.oracle.serve", [str(self.root / version)])
        self.children.append(child)
        return child

    def register(self, child: _Child, **how) -> tuple[int, object]:
        """POST /deployments without force unless asked: how a new deployment is registered."""
        return http("POST", f"{self.server.admin}/deployments", {"uri": f"http://127.0.0.1:{child.port}", "force": False, **how})

    def start(self) -> None:
        """v1 served and registered."""
        status, answer = self.register(self.serve("v1"))
        assert status in (200, 201), answer
        self.v1 = answer["id"]

    def new_deployment(self, **how) -> tuple[int, object]:
        """v2 served and registered next to v1 (which keeps running)."""
        return self.register(self.serve("v2"), **how)

    def in_place(self, **how) -> tuple[int, object]:
        """v2 served, and v1's deployment pointed at it (`overwrite` the schema): the code behind
        an existing deployment changes under its in-flight invocations."""
        child = self.serve("v2")
        return http("PATCH", f"{self.server.admin}/deployments/{self.v1}", {"uri": f"http://127.0.0.1:{child.port}", "overwrite": True, **how})

    def text(self) -> str:
        return "".join(child.text() for child in self.children)

    def stop(self) -> None:
        for child in self.children:
            child.stop()
