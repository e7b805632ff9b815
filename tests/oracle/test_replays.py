"""Replays: code that is not deterministic meets its own journal and fails with RT0016.

`replays=True` deploys request-response, where the SDK ends the attempt whenever it waits on the
server, so each run is followed by a replay; a sleep suspends in either mode.
"""

import json
import subprocess
import sys
import time

from tests.oracle.expect import MISMATCH, every_attempt_mismatches

def test_rst101_stored_uuid4_mismatches_on_every_replay(deploy, client, key):
    deploy("RST101/invalid_id_then_wait.py", replays=True)
    every_attempt_mismatches(client, client.send(f"OrderDraft/{key}/create", "book"), "value:")


def test_rst101_valid_ctx_uuid_survives_the_replay(deploy, client, key):
    deploy("RST101/valid_id_then_wait.py", replays=True)
    status, order_id = client.call(f"OrderDraft/{key}/create", "book")
    assert status == 200 and client.call(f"OrderDraft/{key}/stored") == (200, order_id)


def test_rst101_clock_read_outside_the_journal_is_read_again_on_replay(deploy, client):
    deploy("RST101/invalid_time_aliases.py", replays=True)
    status, answer = client.call("Checkout/place", {"card": "4242", "amount": 7})
    assert status == 200, answer
    invocation_id = client.last("Checkout/place")
    charged = [e for e in client.journal(invocation_id) if e["entry_type"] == "Notification: Run"]
    charged_at = client.server.sql(
        f"SELECT CAST(appended_at AS BIGINT) AS ms FROM sys_journal WHERE id = '{invocation_id}' AND index = {charged[0]['index']}")
    # `placed_at = now()` runs before the charge, yet the answer holds a time after the charge was journaled
    assert answer["placed_at"] * 1000 > charged_at[0]["ms"]


def test_rst103_clock_driven_branch_mismatches_on_every_retry(deploy, client):
    deploy("RST103/invalid_branch_on_deadline.py")
    invocation_id = client.send("Nudges/nudge", {"user": "ada", "quiet_until": time.time() + 1.0})
    every_attempt_mismatches(client, invocation_id)


def test_rst103_valid_journaled_time_takes_the_same_branch(deploy, client):
    deploy("RST103/valid_branch_on_journaled_time.py")
    assert client.call("Nudges/nudge", {"user": "ada", "quiet_until": time.time() + 1.0}) == (200, "sent")


def _set_order(seed: int, items: list[str]) -> list[str]:
    code = f"import json; print(json.dumps(list(set({items!r}))))"
    return json.loads(subprocess.run([sys.executable, "-c", code], env={"PYTHONHASHSEED": str(seed)},
                                     capture_output=True, text=True, check=True).stdout)


REGIONS = ["eu-west-1", "us-east-1", "ap-south-1", "sa-east-1"]


def test_rst104_set_order_differs_between_instances(deploy, client):
    assert _set_order(1, REGIONS) != _set_order(2, REGIONS)  # the two instances iterate differently
    deploy("RST104/invalid_set_literals.py", instances=2)
    invocation_id = client.send("RegionRollout/rollout_requested", {"regions": REGIONS, "version": "v2"})
    mismatch = client.wait_event(invocation_id, lambda e: MISMATCH in e.get("error_message", ""))
    assert mismatch["error_code"] == 570 and mismatch["restate_doc_error_code"] == "RT0016"
    assert "name: deploy-" in mismatch["error_message"]


def test_rst104_valid_sorted_set_agrees_between_instances(deploy, client):
    deploy("RST104/valid_sorted_sets.py", instances=2)
    status, done = client.call("SortedRollout/rollout", {"regions": REGIONS, "version": "v2"})
    assert (status, done) == (200, [f"{r}@v2" for r in sorted(REGIONS)])
    invocation_id = client.last("SortedRollout/rollout")
    assert client.events(invocation_id) == []


def test_rst105_module_state_lives_in_one_process(deploy, client):
    deploy("RST105/invalid_branch_on_mutated_state.py")
    assert client.call("Admin/maintenance_on") == (200, None)
    status, answer = client.call("OrderIntake/submit", {"id": "o1"})
    assert status == 503 and answer["message"] == "maintenance"
    deploy("RST105/invalid_branch_on_mutated_state.py")  # another instance (or a restart) never saw it
    assert client.call("OrderIntake/submit", {"id": "o2"}) == (200, "o2")


def test_rst107_helper_uuid4_mismatches_on_every_replay(deploy, client, key):
    deploy("RST107/invalid_helper_id_then_wait.py", replays=True)
    every_attempt_mismatches(client, client.send(f"OrderDraft/{key}/create", "book"), "value:")


def test_rst201_state_read_inside_a_run_mismatches_on_replay(deploy, client, key):
    deploy("RST201/invalid_nested_def.py", replays=True)
    every_attempt_mismatches(client, client.send(f"Inventory/{key}/report"))


def test_rst201_state_read_through_a_wrapper_inside_a_run_mismatches_on_replay(deploy, client, key):
    deploy("RST201/invalid_context_held_by_object.py", replays=True)
    every_attempt_mismatches(client, client.send(f"Carts/{key}/checkout"))


def test_rst201_valid_wrapper_used_outside_the_runs_survives_the_replays(deploy, client, key):
    deploy("RST201/valid_context_held_by_object.py", replays=True)
    status, receipt = client.call(f"Carts/{key}/checkout")
    assert status == 200 and receipt.startswith("charged 00 EURorder-charged 0order-"), receipt


def test_rst201_nested_run_completes_when_quick_and_hangs_when_asked_to_suspend(deploy, client, key):
    deploy("RST201/invalid_nested_def.py")
    client.set_inactivity_timeout("Inventory", "1m")
    assert client.call(f"Inventory/{key}/label", "ab") == (200, "AB")
    client.set_inactivity_timeout("Inventory", "0s")  # the server asks to suspend during the inner run
    invocation_id = client.send(f"Inventory/{key}/label", "ab")
    time.sleep(2)
    assert client.invocation(invocation_id)["status"] == "running" and client.events(invocation_id) == []
    runs = [(e["entry_type"], e.get("name")) for e in client.journal(invocation_id)][1:]
    assert runs == [("Command: Run", "outer"), ("Command: Run", "inner"), ("Notification: Run", None)]


def test_rst104_set_order_in_a_state_value_differs_between_instances(deploy, client):
    assert _set_order(1, REGIONS) != _set_order(2, REGIONS)
    deploy("RST104/invalid_set_order_in_payloads.py", instances=2)
    invocation_id = client.send("RolloutPlan/eu/plan", REGIONS)
    mismatch = client.wait_event(invocation_id, lambda e: MISMATCH in e.get("error_message", ""))
    assert mismatch["error_code"] == 570 and mismatch["restate_doc_error_code"] == "RT0016"
    assert mismatch["related_command_type"] == "SetState" and "value:" in mismatch["error_message"]  # the SDK compares the value


def test_rst104_set_order_in_a_send_argument_differs_between_instances(deploy, client):
    deploy("RST104/invalid_set_order_in_payloads.py", instances=2)
    invocation_id = client.send("RolloutPlan/eu/announce", REGIONS)
    mismatch = client.wait_event(invocation_id, lambda e: MISMATCH in e.get("error_message", ""))
    assert mismatch["error_code"] == 570 and mismatch["restate_doc_error_code"] == "RT0016"
    assert mismatch["related_command_type"] == "OneWayCall" and "parameter:" in mismatch["error_message"]


def test_rst104_valid_sorted_payloads_agree_between_instances(deploy, client):
    deploy("RST104/valid_set_order_not_journaled.py", instances=2)
    assert client.call("Fleet/eu/plan", REGIONS) == (200, [min(REGIONS), *REGIONS])
