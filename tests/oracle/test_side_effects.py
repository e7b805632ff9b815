"""Side effects outside the journal: repeated on replay, or lost."""

import re


def test_rst102_io_outside_run_is_repeated_on_replay(deploy, client, counter, key):
    deploy("RST102/invalid_durable_helpers.py", replays=True)
    assert client.call(f"ProfileImport/{key}/avatar", f"{counter.url}/ada.png") == (200, 6)
    assert counter.hits["/ada.png"] == 2  # the attempt, then the replay after the run


def test_rst102_valid_io_inside_run_happens_once(deploy, client, counter, key):
    deploy("RST102/valid_fetch_in_run.py", replays=True)
    assert client.call(f"ProfileImport/{key}/avatar", f"{counter.url}/ada.png") == (200, 6)
    assert counter.hits["/ada.png"] == 1


def test_rst202_unawaited_run_never_executes_its_action(deploy, client):
    deploy("RST202/invalid_dropped.py")
    assert client.call("Notifications/notify", {"name": "Ada", "email": "ada@example.com"}) == (200, "queued")
    journal = client.journal(client.last("Notifications/notify"))
    runs = [e["name"] for e in journal if e["entry_type"] == "Command: Run"]
    assert runs == ["render", "render (legacy)", "timestamp"]  # recorded...
    assert not any(e["entry_type"] == "Notification: Run" for e in journal)  # ...but no action ever ran
    assert sum(e["entry_type"] == "Command: Call" for e in journal) == 2  # the calls were sent, unheard


def test_rst202_valid_awaited_run_executes(deploy, client):
    deploy("RST202/valid_awaited.py")
    assert client.call("Mailer/send", {"name": "Ada"}) == (200, True)
    journal = client.journal(client.last("Mailer/send"))
    assert sum(e["entry_type"] == "Notification: Run" for e in journal) == 2  # render and the timestamp


def test_rst601_plain_logger_repeats_its_lines_on_replay(deploy, client):
    deployment = deploy("RST601/invalid_module_logger.py", replays=True)
    assert client.call("LoggedPayments/pay", 5) == (200, "charged 5")
    assert deployment.text().count("charging 5") == 3  # the attempt, then the replays after each of the two runs
    assert deployment.text().count("charged 5: charged 5") == 2  # logged between the runs: replayed once


def _answered(client, deployment, invocation_id: str, printed: str) -> tuple:
    """Resolve the awakeable the handler printed the id of (after `printed`), once it waits on it."""
    client.wait(invocation_id, "suspended")
    name = re.search(re.escape(printed) + r" (\S+)", deployment.text()).group(1)
    assert client.call(f"restate/awakeables/{name}/resolve", "yes")[0] in (200, 202)
    return client.output(invocation_id)


def test_rst601_output_before_an_awaited_future_repeats_once_it_completes(deploy, client):
    deployment = deploy("RST601/invalid_output_before_an_awaited_future.py", replays=True)
    assert _answered(client, deployment, client.send("Approvals/request", 5), "approve 5 at") == (200, "5: yes")
    assert deployment.text().count("approve 5 at") == 2  # the attempt that waited, and the replay after it
    assert client.call("Approvals/transfer", 5) == (200, 0)  # the call was sent before the line, awaited after it
    assert deployment.text().count("transferring 5") == 2


def test_rst601_valid_output_after_the_awaited_awakeable_is_not_replayed(deploy, client):
    deployment = deploy("RST601/valid_output_after_the_awaited_future.py", replays=True)
    assert _answered(client, deployment, client.send("Approvals/request", 5), "approve at") == (200, "5: yes")
    assert deployment.text().count("answered 5 yes") == 1


def test_rst601_valid_restate_logger_drops_the_replayed_line(deploy, client):
    deployment = deploy("RST601/valid_restate_logger_around_run.py", replays=True)
    assert client.call("LoggedPayments/pay", 5) == (200, "charged 5")
    assert deployment.text().count("charging 5") == 1


def test_rst601_valid_output_after_the_last_operation_is_not_replayed(deploy, client):
    deployment = deploy("RST601/valid_print_after_last_operation.py", replays=True)
    assert client.call("Reminders/remind", "Ada") == (200, "reminder: Ada")
    assert deployment.text().count("reminder due: Ada") == 1  # the replay after the run ends there
    assert deployment.text().count("sent Ada") == 1
