"""The service graph: what `restate-lint graph` draws, and the RST403 cycle in its messages."""

from __future__ import annotations

import json
from pathlib import Path

from click.testing import CliRunner

from restate_lint.cli import main
from restate_lint.config import Settings
from restate_lint.runner import lint_paths

FIXTURES = Path(__file__).parent / "fixtures"

OBJECTS = '''
import restate

orders = restate.VirtualObject("Orders")
'''
ORDERS = '''
from datetime import timedelta

from restate import ObjectContext, ObjectSharedContext

import stock
from objects import orders


@orders.handler(name="place")
async def place_order(ctx: ObjectContext, sku: str) -> bool:
    ok = await ctx.object_call(stock.reserve, key=sku, arg=ctx.key())
    ctx.object_send(expire, key=ctx.key(), arg=None, send_delay=timedelta(hours=1))
    return ok


@orders.handler()
async def expire(ctx: ObjectContext) -> None:
    ctx.clear_all()


@orders.handler(kind="shared")
async def status(ctx: ObjectSharedContext) -> str:
    return "ok"
'''
STOCK = '''
import restate

inventory = restate.VirtualObject("Stock")


@inventory.handler()
async def reserve(ctx: restate.ObjectContext, order: str) -> bool:
    ctx.generic_send("Orders", "status", b"", key=order)
    await ctx.generic_call("Orders", "expire", b"", key=order)
    return True
'''


def _project(tmp_path: Path) -> Path:
    for name, text in {"objects.py": OBJECTS, "orders.py": ORDERS, "stock.py": STOCK}.items():
        (tmp_path / name).write_text(text)
    return tmp_path


def _graph(path: Path, fmt: str) -> str:
    result = CliRunner().invoke(main, ["graph", str(path), "--format", fmt, "--no-config"])
    assert result.exit_code == 0, result.output
    return result.output


def test_json_resolves_references_and_restate_names_across_modules(tmp_path):
    data = json.loads(_graph(_project(tmp_path), "json"))
    nodes = {n["id"]: n for n in data["nodes"]}
    assert nodes["Orders/place"]["function"] == "place_order"  # the name= of the decorator
    assert nodes["Orders/status"]["kind"] == "shared"
    edges = {(e["from"], e["to"]): e for e in data["edges"]}
    assert set(edges) == {("Orders/place", "Stock/reserve"), ("Orders/place", "Orders/expire"), ("Stock/reserve", "Orders/status"), ("Stock/reserve", "Orders/expire")}
    assert edges[("Orders/place", "Stock/reserve")]["mode"] == "call"
    assert edges[("Orders/place", "Stock/reserve")]["key"] == "sku"
    assert edges[("Orders/place", "Orders/expire")]["mode"] == "delayed_send"
    assert edges[("Stock/reserve", "Orders/status")]["mode"] == "send"
    # place -> reserve -> expire: a cycle through the exclusive handlers of Orders
    assert edges[("Stock/reserve", "Orders/expire")]["deadlock"] == "RST403"
    assert edges[("Stock/reserve", "Orders/expire")]["cycle"] == "Orders/place -> Stock/reserve -> Orders/expire"
    assert edges[("Orders/place", "Orders/expire")]["deadlock"] is None


def test_dot_groups_services_and_styles_edges(tmp_path):
    dot = _graph(_project(tmp_path), "dot")
    assert dot.startswith("digraph") and dot.count("subgraph cluster_") == 2
    assert "style=dotted" in dot and "style=dashed" in dot  # delayed send, send
    assert 'style="rounded,filled,dashed"' in dot  # the shared handler
    red = [line for line in dot.splitlines() if " -> " in line and 'color="#d62728"' in line]
    assert len(red) == 2  # the two calls on the cycle


def test_mermaid_groups_services_and_highlights_the_cycle(tmp_path):
    mermaid = _graph(_project(tmp_path), "mermaid")
    assert mermaid.startswith("flowchart LR")
    assert mermaid.count("subgraph ") == 2 and "Stock · Virtual object" in mermaid
    assert mermaid.count("==>") == 2 and "linkStyle" in mermaid
    assert mermaid.count("-.->") == 2


def test_cycle_is_found_when_linting_one_file_of_it():
    folder = FIXTURES / "RST403" / "invalid_three_object_cycle"
    result = lint_paths([folder / "audit.py"], Settings(root=folder))
    assert [(Path(d.filename).name, d.start.row, d.code) for d in result.diagnostics] == [("audit.py", 19, "RST403")]


def test_every_call_site_of_a_cycle_prints_the_whole_cycle():
    folder = FIXTURES / "RST403" / "invalid_three_object_cycle"
    result = lint_paths([folder], Settings(root=folder))
    messages = {Path(d.filename).name: d.message for d in result.diagnostics if d.code == "RST403"}
    assert set(messages) == {"accounts.py", "ledger.py", "audit.py"}
    for message in messages.values():
        assert "Account/transfer -> Ledger/record -> Audit/review -> Account/transfer" in message
