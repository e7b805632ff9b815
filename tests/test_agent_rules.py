"""Integration rules on code that cannot be a fixture (an older SDK's API) and with settings."""

from __future__ import annotations

from pathlib import Path

from restate_lint.config import Settings, load
from restate_lint.runner import lint_paths

# restate-sdk 0.x: a service-wide context manager made `Runner.run` journal the model calls
# (`DurableOpenAIAgents` is gone from 1.x, so this module cannot be a valid fixture, which imports)
LEGACY_OPENAI = """\
from agents import Agent, Runner
from restate.ext.openai import DurableOpenAIAgents

import restate

agent = Agent(name="Weather", instructions="Give weather updates.")
service = restate.Service("Weather", invocation_context_managers=[DurableOpenAIAgents])


@service.handler()
async def run(ctx: restate.Context, message: str) -> str:
    result = await Runner.run(agent, input=message)
    return str(result.final_output)
"""

MODEL_CALL = """\
from openai import AsyncOpenAI

import restate

llm = AsyncOpenAI()
service = restate.Service("Writer")


@service.handler()
async def draft(ctx: restate.Context, topic: str) -> str:
    reply = await llm.responses.create(model="gpt-4o", input=topic)
    return reply.output_text
"""


def _codes(tmp_path: Path, source: str, settings: Settings) -> set[tuple[int, str]]:
    (tmp_path / "svc.py").write_text(source)
    return {(d.start.row, d.code) for d in lint_paths([tmp_path / "svc.py"], settings).diagnostics}


def test_legacy_openai_integration_runner_is_durable(tmp_path: Path) -> None:
    assert _codes(tmp_path, LEGACY_OPENAI, Settings(root=tmp_path)) == set()
    unwrapped = LEGACY_OPENAI.replace("from restate.ext.openai import DurableOpenAIAgents\n", "").replace(
        ", invocation_context_managers=[DurableOpenAIAgents]", "")
    assert _codes(tmp_path, unwrapped, Settings(root=tmp_path)) == {(11, "RST109")}


def test_model_client_requests_can_be_allowed(tmp_path: Path) -> None:
    assert _codes(tmp_path, MODEL_CALL, Settings(root=tmp_path)) == {(11, "RST102")}
    (tmp_path / "pyproject.toml").write_text('[tool.restate-lint]\nallow = ["openai"]\n')
    assert _codes(tmp_path, MODEL_CALL, load(tmp_path / "pyproject.toml", tmp_path)) == set()
