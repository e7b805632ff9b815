"""Throughput of restate-lint next to a bare `libcst.parse_module` of the same files.

    python benchmarks/bench.py --modules 200 --repeat 3

Generates a synthetic project (handler modules that import each other's services and helpers,
plus plain modules that never mention Restate), then times, in one process and one after the
other: a bare libcst parse of every file, and a full restate-lint run (discovery, project index,
model, every rule). Machines here are noisy: compare the ratio from one run, not absolute figures
across runs.
"""

from __future__ import annotations

import argparse
import random
import statistics
import sys
import tempfile
import time
from pathlib import Path

import libcst as cst

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from restate_lint.config import Settings  # noqa: E402
from restate_lint.engine import lint_paths  # noqa: E402

HANDLER_MODULE = '''\
"""Orders for tenant {i}."""

from datetime import timedelta

import restate
from restate import ObjectContext, ObjectSharedContext, RunOptions

from helpers_{j} import price_of, normalise
from services_{j} import payments_{j}

orders_{i} = restate.VirtualObject("Orders{i}")
notifier_{i} = restate.Service("Notifier{i}")
signup_{i} = restate.Workflow("Signup{i}")


def reserve(sku: str, quantity: int) -> dict:
    return {{"sku": sku, "quantity": quantity}}


async def charge(ctx: ObjectContext, amount: int) -> str:
    charge_id = await ctx.run_typed("charge", payments_{j}.create_charge, RunOptions(max_attempts=3), amount)
    ctx.set("charge", charge_id)
    return charge_id


@orders_{i}.handler()
async def add_item(ctx: ObjectContext, item: dict) -> int:
    items = await ctx.get("items") or []
    sku = normalise(item["sku"])
    reserved = await ctx.run_typed("reserve", reserve, RunOptions(), sku, item.get("quantity", 1))
    items.append(reserved)
    ctx.set("items", items)
    total = sum(price_of(i["sku"]) * i["quantity"] for i in items)
    if total > {limit}:
        ctx.object_send(notify_big_order, key=ctx.key(), arg=total, send_delay=timedelta(minutes=5))
    return len(items)


@orders_{i}.handler(kind="shared")
async def get_items(ctx: ObjectSharedContext) -> list:
    return await ctx.get("items") or []


@orders_{i}.handler()
async def checkout(ctx: ObjectContext) -> str:
    items = await ctx.get("items") or []
    amount = sum(price_of(i["sku"]) for i in items)
    try:
        charge_id = await charge(ctx, amount)
    except restate.TerminalError as err:
        ctx.set("failed", str(err))
        raise
    futures = [ctx.run_typed(f"ship {{n}}", reserve, RunOptions(), i["sku"], 1) for n, i in enumerate(items)]
    await restate.gather(*futures)
    shipped = [await f for f in futures]
    ctx.clear("items")
    return f"{{charge_id}}:{{len(shipped)}}"


@notifier_{i}.handler()
async def notify_big_order(ctx: restate.Context, total: int) -> None:
    await ctx.run_typed("email", lambda: print("big order", total))


@signup_{i}.main()
async def run(ctx: restate.WorkflowContext, email: str) -> bool:
    user_id = str(ctx.uuid())
    ctx.set("user", user_id)
    await ctx.run_typed("welcome", lambda: normalise(email))
    return await ctx.promise("confirmed").value()


@signup_{i}.handler()
async def confirm(ctx: restate.WorkflowSharedContext, ok: bool) -> None:
    await ctx.promise("confirmed").resolve(ok)
'''

SERVICES_MODULE = '''\
import restate

payments_{i} = restate.Service("Payments{i}")


@payments_{i}.handler()
async def create_charge(ctx: restate.Context, amount: int) -> str:
    return await ctx.run_typed("id", lambda: f"ch_{{amount}}")
'''

PLAIN_MODULE = '''\
"""Pricing tables and text helpers (no Restate here)."""

import re
import time
from dataclasses import dataclass

PRICES = {{{prices}}}


@dataclass
class Line:
    sku: str
    quantity: int

    def cost(self) -> int:
        return price_of(self.sku) * self.quantity


def price_of(sku: str) -> int:
    return PRICES.get(sku, {default})


def normalise(text: str) -> str:
    return re.sub(r"\\s+", "-", text.strip().lower())


def stamp() -> float:
    try:
        return time.time()
    except Exception:
        return 0.0


def summarise(lines: list) -> dict:
    out = {{}}
    for line in lines:
        out.setdefault(line.sku, 0)
        out[line.sku] += line.cost()
    return {{k: v for k, v in sorted(out.items()) if v > {default}}}
'''


def generate(folder: Path, modules: int, seed: int = 7) -> list[Path]:
    """`modules` handler modules, as many plain helper modules, and a services module per 10."""
    rng = random.Random(seed)
    groups = max(1, modules // 10)
    files = []
    for j in range(groups):
        files.append(folder / f"services_{j}.py")
        files[-1].write_text(SERVICES_MODULE.format(i=j))
        prices = ", ".join(f'"sku{k}": {rng.randint(1, 500)}' for k in range(40))
        files.append(folder / f"helpers_{j}.py")
        files[-1].write_text(PLAIN_MODULE.format(prices=prices, default=rng.randint(1, 9)))
    for i in range(modules):
        files.append(folder / f"orders_{i}.py")
        files[-1].write_text(HANDLER_MODULE.format(i=i, j=i % groups, limit=rng.randint(100, 900)))
        files.append(folder / f"plain_{i}.py")
        prices = ", ".join(f'"p{k}": {rng.randint(1, 500)}' for k in range(40))
        files[-1].write_text(PLAIN_MODULE.format(prices=prices, default=rng.randint(1, 9)))
    (folder / "pyproject.toml").write_text('[project]\nname = "bench"\n')
    return files


def best_of(repeat: int, fn) -> float:
    times = []
    for _ in range(repeat):
        start = time.perf_counter()
        fn()
        times.append(time.perf_counter() - start)
    return min(times), statistics.median(times)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--modules", type=int, default=200, help="handler modules (as many plain modules are added)")
    parser.add_argument("--repeat", type=int, default=3)
    parser.add_argument("--select", default="ALL", help="rule selectors, comma-separated; `default` for the default rule set")
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as tmp:
        folder = Path(tmp)
        files = generate(folder, args.modules)
        texts = [f.read_text() for f in files]
        lines = sum(t.count("\n") for t in texts)
        parse_min, parse_med = best_of(args.repeat, lambda: [cst.parse_module(t) for t in texts])
        found = []
        select = None if args.select == "default" else tuple(args.select.split(","))
        lint_min, lint_med = best_of(args.repeat, lambda: found.append(lint_paths([folder], Settings(root=folder, select=select))))
        result = found[-1]
    print(f"files: {len(files)}, lines: {lines}, diagnostics: {len(result.diagnostics)}, internal errors: {len(result.internal_errors)}")
    print(f"libcst.parse_module    best {parse_min:.2f}s  median {parse_med:.2f}s  {lines / parse_min:>9,.0f} lines/s")
    print(f"restate-lint ({args.select:<7}) best {lint_min:.2f}s  median {lint_med:.2f}s  {lines / lint_min:>9,.0f} lines/s")
    print(f"ratio restate-lint / bare parse (best times): {lint_min / parse_min:.2f}x")


if __name__ == "__main__":
    main()
