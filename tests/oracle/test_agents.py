"""Agents on Restate (restate.ext.openai, restate.ext.pydantic) against a local fake model."""

import pytest

from tests.oracle.fake_model import FINAL, FakeModel

pytest.importorskip("agents", reason="openai-agents is not installed (pip install -e '.[test]')")

RESPONSES = "/v1/responses"
SLOW = 60  # seconds: an agent run makes several model calls, each followed by a replay


@pytest.fixture
def fake_model():
    models: list[FakeModel] = []

    def start(**how) -> FakeModel:
        models.append(FakeModel(**how))
        return models[-1]

    yield start
    for model in models:
        model.stop()


def test_rst109_unwrapped_runner_calls_the_model_again_on_replay(deploy, client, fake_model):
    model = fake_model()
    deploy("RST109/invalid_openai_runner.py", replays=True, env=model.env)
    assert client.call("Support/ask", "Where is my parcel?", timeout=SLOW) == (200, f"sent: {FINAL}")
    assert model.hits[RESPONSES] == 2  # the attempt, then the replay after the run


def test_rst109_model_object_bypasses_the_durable_runner(deploy, client, fake_model):
    model = fake_model()
    deploy("RST109/invalid_openai_runner.py", replays=True, env=model.env)
    assert client.call("Support/ask_local", "Where is my parcel?", timeout=SLOW) == (200, f"sent: {FINAL}")
    assert model.hits["/v1/chat/completions"] == 2
    journal = client.journal(client.last("Support/ask_local"))
    assert [e["name"] for e in journal if e["entry_type"] == "Command: Run"] == ["notify"]  # no "call LLM"


def test_rst109_valid_durable_runner_journals_the_model_call(deploy, client, fake_model):
    model = fake_model()
    deploy("RST109/valid_openai_durable_runner.py", replays=True, env=model.env)
    assert client.call("SupportDurable/ask", "Where is my parcel?", timeout=SLOW) == (200, f"sent: {FINAL}")
    assert model.hits[RESPONSES] == 1
    journal = client.journal(client.last("SupportDurable/ask"))
    assert [e["name"] for e in journal if e["entry_type"] == "Command: Run"] == ["call LLM", "notify"]


def test_rst110_tool_io_runs_again_on_every_replay(deploy, client, counter, fake_model):
    model = fake_model(tool="get_weather", arguments={"city": "Paris"})
    deploy("RST110/invalid_tool_io.py", replays=True, env=dict(model.env, WEATHER_URL=f"{counter.url}/weather"))
    assert client.call("Concierge/weather", "Paris", timeout=SLOW) == (200, FINAL)
    assert model.hits[RESPONSES] == 2  # the model calls are journaled...
    assert counter.hits["/weather?city=Paris"] == 2  # ...the tool's request is not: sent again on the replay


def test_rst110_valid_tool_journals_its_io(deploy, client, counter, fake_model):
    model = fake_model(tool="get_weather", arguments={"city": "Paris"})
    deploy("RST110/valid_tools_journal_their_io.py", replays=True, env=dict(model.env, WEATHER_URL=f"{counter.url}/weather"))
    assert client.call("ConciergeDurable/weather", "Paris", timeout=SLOW) == (200, FINAL)
    assert counter.hits["/weather?city=Paris"] == 1


def _cancel_while_the_tool_waits(client, target: str) -> dict:
    invocation_id = client.send(target, "Pay 5")
    client.wait(invocation_id, "suspended", timeout=SLOW)  # the tool awaits the approval's awakeable
    client.cancel(invocation_id)
    return client.wait(invocation_id, "completed", timeout=SLOW)


def test_rst504_function_tool_turns_the_cancellation_into_text(deploy, client, fake_model, key):
    model = fake_model(tool="approve", arguments={"amount": 5})
    deploy("RST504/invalid_error_functions.py", env=model.env)
    row = _cancel_while_the_tool_waits(client, f"Orders/{key}/pay")
    assert row["completion_result"] == "success"  # the cancelled invocation completed...
    assert model.hits[RESPONSES] == 2  # ...after the model was asked again, told the tool "failed"


def test_rst504_valid_raising_tool_lets_the_cancellation_through(deploy, client, fake_model):
    model = fake_model(tool="approve", arguments={"amount": 5})
    deploy("RST504/valid_error_functions.py", env=model.env)
    row = _cancel_while_the_tool_waits(client, "Payments/pay")
    assert row["completion_result"] == "failure"
    assert "[409] cancelled" in row["completion_failure"]
    assert model.hits[RESPONSES] == 1


def _paused_by(client, invocation_id: str) -> dict:
    client.wait(invocation_id, "paused", timeout=SLOW)
    return next(e["last_failure"] for e in client.events(invocation_id) if e["ty"] == "Paused")


def test_rst215_durable_call_in_an_auto_wrapped_tool_mismatches_on_replay(deploy, client, key):
    # pydantic-ai's TestModel calls every tool: no model endpoint at all
    deploy("RST215/invalid_context_in_auto_wrapped_tool.py", replays=True)
    failure = _paused_by(client, client.send(f"Parcels/{key}/ask", "Where is it?"))
    assert failure["error_code"] == 570
    assert "run [Calling track]" in failure["error_message"]  # the call journaled inside the tool's run


def test_rst215_state_write_in_an_auto_wrapped_stream_handler_mismatches_on_replay(deploy, client, key):
    deploy("RST215/invalid_context_in_auto_wrapped_tool.py", replays=True)
    failure = _paused_by(client, client.send(f"Parcels/{key}/wait", "Is the courier here?"))
    assert failure["error_code"] == 570 and failure["restate_doc_error_code"] == "RT0016"
    assert failure["related_command_name"] == "run event"


def test_rst215_valid_tools_journal_their_own_steps(deploy, client):
    deploy("RST215/valid_context_in_tools_of_plain_wrapper.py", replays=True)
    status, answer = client.call("ParcelsDurable/ask", "Where is it?", timeout=SLOW)
    assert status == 200, answer
    journal = client.journal(client.last("ParcelsDurable/ask"))
    assert [e["name"] for e in journal if e["entry_type"] == "Command: Run"][:2] == ["Model call", "lookup"]
