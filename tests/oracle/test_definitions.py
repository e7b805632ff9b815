"""Malformed definitions (RST305, RST999): what the SDK and the server make of them."""

import pytest


def test_rst305_decorator_without_call_leaves_the_handler_unregistered(deploy, client, key):
    deploy("RST305/invalid_decorator_not_called.py")
    assert client.call("Greeter/ping") == (200, "pong")
    status, answer = client.call("Greeter/greet", "Ada")
    assert status == 404, answer
    assert client.call(f"Counter/{key}/add", 1)[0] == 404


def test_rst305_workflow_with_two_mains_runs_only_the_first_called(deploy, client, key):
    deploy("RST305/invalid_workflow_main_count.py")  # registration accepts both, and a workflow with none
    assert client.call(f"BillingRun/{key}/rerun", "2026-11") == (200, "2026-11")
    status, answer = client.call(f"BillingRun/{key}/run", "2026-12")
    assert status == 409, answer
    assert client.call(f"Signup/{key}/status") == (200, "new")


def test_rst305_invalid_names_are_rejected_at_registration(deploy):
    with pytest.raises(AssertionError, match="order service"):
        deploy("RST305/invalid_names.py")


@pytest.mark.parametrize("fixture, error", [
    ("RST305/invalid_parameters.py", "ValueError: Handler must have at least one parameter"),
    ("RST305/invalid_duplicate_names.py", "ValueError: Handler status already exists in Orders"),
    ("RST999/invalid_missing_colon.py", "SyntaxError: expected ':'"),
], ids=["RST305-parameters", "RST305-duplicates", "RST999"])
def test_module_refused_at_import_never_deploys(deploy, fixture, error):
    with pytest.raises(AssertionError, match=error):
        deploy(fixture)


def test_rst305_valid_definitions_register_and_answer(deploy, client):
    deploy("RST305/valid_definitions.py")
    assert client.call("Orders.v2/ping") == (200, "pong")
    assert client.call("Orders.v2/lookup_v2", "o1") == (200, {"id": "o1"})
