"""Native asyncio and threads in handlers (RST106), against ctx's own concurrency."""

import time


def test_rst106_run_in_a_stray_task_never_happens(deploy, client):
    deployment = deploy("RST106/invalid_background_task.py")
    assert client.call("AuditedOrders/place", "o1") == (200, "o1")  # completes normally
    invocation_id = client.last("AuditedOrders/place")
    assert "audit" not in [e.get("name") for e in client.journal(invocation_id)]  # its run was never journaled
    assert client.events(invocation_id) == []  # and the server was never told
    output = deployment.text()
    assert "Task exception was never retrieved" in output and "(598) Execution is suspended" in output


def test_rst106_asyncio_sleep_keeps_the_invocation_running(deploy, client):
    deploy("RST106/invalid_native_sleep.py")
    napping = client.send("Retrier/pause", 2.0)
    client.wait(napping, "running")
    time.sleep(1.0)
    assert client.invocation(napping)["status"] == "running"  # asked to suspend, it cannot
    assert client.output(napping) == (200, None)


def test_rst106_valid_ctx_sleep_suspends(deploy, client, key):
    deploy("RST106/valid_durable_sleep.py")
    sleeping = client.send(f"Session/{key}/heartbeat")  # ctx.sleep of 1 s
    assert client.wait(sleeping, "suspended")
    assert client.output(sleeping) == (200, "idle")


def test_rst106_time_sleep_blocks_other_invocations_of_the_process(deploy, client):
    deploy("RST106/invalid_native_sleep.py")
    blocking = client.send("Retrier/cool_down", 1.0)
    client.wait(blocking, "running")
    time.sleep(0.2)  # let it reach its time.sleep
    started = time.monotonic()
    assert client.call("Retrier/cool_down", 0.0) == (200, None)  # no work of its own
    assert time.monotonic() - started > 0.5
    assert client.invocation(blocking)["status"] == "completed"  # it had to wait for the other


def test_rst106_asyncio_gather_over_sdk_futures_works(deploy, client):
    deploy("RST106/invalid_gather_and_tasks.py")
    assert client.call("Search/federated", "dune") == (200, ["books:dune", "films:dune"])
