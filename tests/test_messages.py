"""Messages say what is true in the case at hand (issue: what real code taught us)."""

from __future__ import annotations

from pathlib import Path

from restate_lint.config import Settings
from restate_lint.runner import lint_paths

HEADER = """from datetime import timedelta

import restate

svc = restate.Service("Svc")
obj = restate.VirtualObject("Obj")


@svc.handler()
async def target(ctx: restate.Context, req: dict) -> str:
    return "ok"


"""


def _messages(tmp_path: Path, body: str, code: str) -> list[str]:
    path = tmp_path / "svc.py"
    path.write_text(HEADER + body)
    return [d.message for d in lint_paths([path], Settings(root=tmp_path, select=(code,))).diagnostics if d.code == code]


def test_rst404_last_send_only_delays_the_send(tmp_path: Path) -> None:
    [message] = _messages(tmp_path, "@svc.handler()\nasync def h(ctx: restate.Context, req: dict) -> None:\n    await ctx.sleep(timedelta(hours=1))\n    ctx.service_send(target, arg=req)\n", "RST404")
    assert "only delays the send" in message and "key" not in message  # a plain service holds no key


def test_rst404_with_work_after_the_send_says_it_delays_that_work_too(tmp_path: Path) -> None:
    body = "@obj.handler()\nasync def h(ctx: restate.ObjectContext, req: dict) -> None:\n    await ctx.sleep(timedelta(hours=1))\n    ctx.service_send(target, arg=req)\n    ctx.set('sent', True)\n"
    [message] = _messages(tmp_path, body, "RST404")
    assert "only delays" not in message and "the durable work after it" in message and "object's key" in message


def test_rst702_forwarded_key_is_not_told_to_be_dropped(tmp_path: Path) -> None:
    body = "@svc.handler()\nasync def h(ctx: restate.Context, req: dict) -> str:\n    return await ctx.service_call(target, arg=req, idempotency_key=req['id'])\n"
    [message] = _messages(tmp_path, body, "RST702")
    assert "from the handler's input (`req`)" in message and "reasoned suppression" in message


def test_rst702_made_up_key_is_told_to_be_dropped(tmp_path: Path) -> None:
    body = "@svc.handler()\nasync def h(ctx: restate.Context, req: dict) -> str:\n    return await ctx.service_call(target, arg=req, idempotency_key=str(ctx.uuid()))\n"
    [message] = _messages(tmp_path, body, "RST702")
    assert message.endswith("Drop it, unless you mean to deduplicate across different invocations")


def test_rst502_block_that_raises_another_error_is_not_said_to_succeed(tmp_path: Path) -> None:
    body = (
        "@svc.handler()\nasync def h(ctx: restate.Context, req: dict) -> str:\n    try:\n        return await ctx.service_call(target, arg=req)\n"
        "    except Exception as exc:\n        if req:\n            raise RuntimeError('x') from exc\n        return 'none'\n"
    )  # fmt: skip
    [message] = _messages(tmp_path, body, "RST502")
    assert "as if it succeeded" not in message and "replaces them" in message


def test_rst401_says_how_to_keep_the_key_on_purpose(tmp_path: Path) -> None:
    [message] = _messages(tmp_path, "@obj.handler()\nasync def h(ctx: restate.ObjectContext) -> None:\n    await ctx.sleep(timedelta(seconds=5))\n", "RST401")
    assert "If nothing needs the key meanwhile" in message and "ignore[RST401]" in message


def test_rst107_names_the_api_that_matters_with_the_chain(tmp_path: Path) -> None:
    body = (
        "import os\nimport smtplib\n\n\ndef notify(text: str) -> None:\n    host = os.getenv('SMTP_HOST')\n    deliver(host, text)\n\n\n"
        "def deliver(host, text) -> None:\n    smtplib.SMTP(host).sendmail('a', 'b', text)\n\n\n"
        "@svc.handler()\nasync def h(ctx: restate.Context, text: str) -> None:\n    notify(text)\n"
    )  # fmt: skip
    [message] = _messages(tmp_path, body, "RST107")
    assert "reaches `smtplib.SMTP`" in message and "(h -> notify -> deliver -> smtplib.SMTP)" in message


_LOGGED = "import logging\n\nlogger = logging.getLogger(__name__)\n\n\n@svc.handler()\nasync def h(ctx: restate.Context, req: dict) -> None:\n    logger.info('waiting')\n    print('waiting')\n    await ctx.sleep(timedelta(hours=1))\n"


def test_rst601_on_an_sdk_without_restate_get_logger_advises_and_fixes_nothing_it_lacks(tmp_path: Path) -> None:
    (tmp_path / "requirements.txt").write_text("restate-sdk==0.8.0\n")
    path = tmp_path / "svc.py"
    path.write_text(HEADER + _LOGGED)
    found = [d for d in lint_paths([path], Settings(root=tmp_path, select=("RST601",))).diagnostics if d.code == "RST601"]
    assert len(found) == 2 and all(d.fix is None for d in found)
    assert all("restate-sdk 0.8.0, the version the project targets, has no replay-aware logger" in d.message for d in found)
    assert not any("Create it with" in d.message or "log with a logger" in d.message for d in found)


def test_rst601_on_an_sdk_with_restate_get_logger_advises_it(tmp_path: Path) -> None:
    (tmp_path / "requirements.txt").write_text("restate-sdk==0.9.0\n")
    messages = _messages(tmp_path, _LOGGED, "RST601")
    assert len(messages) == 2 and "Create it with `restate.getLogger(..)`" in messages[0] and "no replay-aware logger" not in " ".join(messages)


def test_rst305_names_the_handler_that_takes_a_workflow_context_of_a_workflow_without_main(tmp_path: Path) -> None:
    body = "wf = restate.Workflow('Wf')\n\n\n@wf.handler('run')\nasync def run(ctx: restate.WorkflowContext, x: str) -> str:\n    return x\n"
    [message] = _messages(tmp_path, body, "RST305")
    assert "handler `run` takes a `WorkflowContext`" in message and "declare it with `.main()`" in message
    assert _messages(tmp_path, body, "RST303") == []  # the same root cause: reported once
