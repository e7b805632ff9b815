"""Benchmark inputs, written into a folder given by the caller (never committed).

- `mixed_repo`: CPython standard-library files copied from the running Python, plus a package of
  generated Restate handler modules making about 5% of the lines, and a 1,000-line handler file
  for the language server.
- `dense_project`: almost every module is handler code; handler modules import each other's
  services and helpers, so the project index, linking and reach all have real work.

Everything is deterministic for a given Python build (same stdlib, same seed).
"""

from __future__ import annotations

import random
import re
import shutil
import sysconfig
from dataclasses import dataclass, field
from pathlib import Path
from typing import Optional

import libcst as cst

MARKER = ".restate-lint-bench"  # marks a folder as ours, so `--keep DIR` may wipe it next time

HANDLER_MODULE = '''\
"""Orders for tenant {i}."""

from datetime import timedelta

import restate
from restate import ObjectContext, ObjectSharedContext, RunOptions

from {pkg}helpers_{j} import price_of, normalise
from {pkg}services_{j} import payments_{j}
{upstream_import}
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
    ctx.clear("items"){upstream_call}
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

# Module `i` calls the notifier of module `i // 2`: a tree of imports between handler modules.
UPSTREAM_IMPORT = "from {pkg}orders_{k} import notify_big_order as notify_upstream\n"
UPSTREAM_CALL = "\n    await ctx.service_call(notify_upstream, arg=amount)"

SERVICES_MODULE = '''\
import restate

payments_{i} = restate.Service("Payments{i}")


@payments_{i}.handler()
async def create_charge(ctx: restate.Context, amount: int) -> str:
    return await ctx.run_typed("id", lambda: f"ch_{{amount}}")
'''

HELPERS_MODULE = '''\
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

LSP_HEADER = '''\
"""Checkout flows: one big virtual object, the file the language-server benchmark edits."""

import time
from datetime import timedelta

import restate
from restate import ObjectContext, ObjectSharedContext, RunOptions

from {pkg}helpers_0 import normalise, price_of
from {pkg}orders_0 import notify_big_order
from {pkg}services_0 import payments_0

checkout_flow = restate.VirtualObject("CheckoutFlow")


def quote(sku: str, quantity: int) -> int:
    return price_of(normalise(sku)) * quantity
'''

LSP_HANDLERS = '''

@checkout_flow.handler()
async def step_{n}(ctx: ObjectContext, order: dict) -> dict:
    lines = await ctx.get("lines_{n}") or []
    total = await ctx.run_typed("quote {n}", quote, RunOptions(max_attempts=3), order["sku"], order.get("quantity", 1))
    lines.append({{"sku": order["sku"], "total": total}})
    ctx.set("lines_{n}", lines)
    if total > {limit}:
        charge_id = await ctx.run_typed("charge {n}", payments_0.create_charge, RunOptions(), total)
        ctx.set("charge_{n}", charge_id)
        ctx.service_send(notify_big_order, arg=total, send_delay=timedelta(seconds={n}))
    try:
        await ctx.sleep(timedelta(milliseconds={limit}))
    except restate.TerminalError:
        ctx.clear("lines_{n}")
        raise
    return {{"step": {n}, "lines": len(lines), "total": total}}


@checkout_flow.handler(kind="shared")
async def peek_{n}(ctx: ObjectSharedContext) -> list:
    return await ctx.get("lines_{n}") or []
'''

# The module that serves every service, as Restate apps do (`restate.app`).
APP_MODULE = '''\
"""The ASGI app serving every service."""

import restate

{imports}

application = restate.app(services=[
    {services},
])
'''

# The line the language-server benchmark flips: the `time.time()` form is an RST101 finding.
LSP_EDIT_MARK = "# bench: edited line"
LSP_EDIT_QUIET = "    stamp = 0.0  " + LSP_EDIT_MARK
LSP_EDIT_FINDING = "    stamp = time.time()  " + LSP_EDIT_MARK
LSP_EDITED_HANDLER = '''

@checkout_flow.handler()
async def edited(ctx: ObjectContext) -> float:
{edit_line}
    return stamp
'''

SKIP_STDLIB_PARTS = {"test", "tests", "idle_test", "lib2to3", "site-packages", "dist-packages", "__pycache__", "_bundled"}
MAX_STDLIB_FILE_LINES = 4000  # leaves out generated giants such as pydoc_data/topics.py


@dataclass
class Inputs:
    """One generated project: its root (holding pyproject.toml) and the files the measures use."""

    name: str
    root: Path
    files: list[Path]
    lines: int
    handler_lines: int
    changed: Path  # the handler module the one-file measures lint and the one-file-changed measure edits
    lsp_file: Optional[Path] = None
    notes: list[str] = field(default_factory=list)


def _fresh(folder: Path) -> Path:
    if folder.exists():
        if not (folder / MARKER).exists():
            raise SystemExit(f"{folder} exists and was not made by this benchmark; not touching it")
        shutil.rmtree(folder)
    folder.mkdir(parents=True)
    (folder / MARKER).write_text("inputs of benchmarks/bench.py; safe to delete\n")
    (folder / "pyproject.toml").write_text(f'[project]\nname = "{folder.name}"\n')
    return folder


def _write(path: Path, text: str) -> Path:
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(text)
    return path


def _lines(path: Path) -> int:
    return path.read_bytes().count(b"\n")


def handler_package(folder: Path, modules: int, pkg: str, rng: random.Random) -> list[Path]:
    """`modules` handler modules and, per ten of them, a services and a helpers module."""
    groups = max(1, modules // 10)
    files = []
    for j in range(groups):
        files.append(_write(folder / f"services_{j}.py", SERVICES_MODULE.format(i=j)))
        prices = ", ".join(f'"sku{k}": {rng.randint(1, 500)}' for k in range(40))
        files.append(_write(folder / f"helpers_{j}.py", HELPERS_MODULE.format(prices=prices, default=rng.randint(1, 9))))
    for i in range(modules):
        upstream = {"upstream_import": UPSTREAM_IMPORT.format(pkg=pkg, k=i // 2), "upstream_call": UPSTREAM_CALL} if i else {"upstream_import": "", "upstream_call": ""}
        text = HANDLER_MODULE.format(i=i, j=i % groups, pkg=pkg, limit=rng.randint(100, 900), **upstream)
        files.append(_write(folder / f"orders_{i}.py", text))
    return files


def app_module(modules: int, pkg: str) -> str:
    imports = "\n".join(f"from {pkg}orders_{i} import notifier_{i}, orders_{i}, signup_{i}" for i in range(modules))
    services = ",\n    ".join(f"orders_{i}, notifier_{i}, signup_{i}" for i in range(modules))
    return APP_MODULE.format(imports=imports, services=services)


def lsp_file_text(pkg: str, min_lines: int, rng: random.Random) -> str:
    parts = [LSP_HEADER.format(pkg=pkg), LSP_EDITED_HANDLER.format(edit_line=LSP_EDIT_QUIET)]
    n = 0
    while sum(p.count("\n") for p in parts) < min_lines:
        parts.append(LSP_HANDLERS.format(n=n, limit=rng.randint(100, 900)))
        n += 1
    return "".join(parts)


def stdlib_subset(target_lines: int, seed: int) -> list[tuple[Path, bytes]]:
    """A seeded pick of the running Python's stdlib files that are UTF-8 and parse with libcst."""
    stdlib = Path(sysconfig.get_paths()["stdlib"])
    candidates = sorted(p for p in stdlib.rglob("*.py") if not SKIP_STDLIB_PARTS & set(p.relative_to(stdlib).parts))
    random.Random(seed).shuffle(candidates)
    picked, lines = [], 0
    for path in candidates:
        if lines >= target_lines:
            break
        data = path.read_bytes()
        count = data.count(b"\n")
        if count > MAX_STDLIB_FILE_LINES or count > 2 * (target_lines - lines) + 200:
            continue
        try:
            data.decode("utf-8")
            cst.parse_module(data)
        except Exception:  # bad encoding, or syntax libcst does not take: not a fair input
            continue
        picked.append((path.relative_to(stdlib), data))
        lines += count
    return picked


def mixed_repo(folder: Path, lines: int = 100_000, handler_share: float = 0.05, lsp_lines: int = 1000, seed: int = 7) -> Inputs:
    """Stdlib files under `lib/`, handler code in the package `app/` (~`handler_share` of lines)."""
    root = _fresh(folder)
    rng = random.Random(seed)
    lsp_file = _write(root / "app" / "checkout_flow.py", lsp_file_text("app.", lsp_lines, rng))
    handler_lines = _lines(lsp_file)
    module_lines = HANDLER_MODULE.count("\n")
    modules = max(3, round((lines * handler_share - handler_lines) / module_lines))
    files = [_write(root / "app" / "__init__.py", app_module(modules, "app.")), lsp_file, *handler_package(root / "app", modules, "app.", rng)]
    handler_lines = sum(_lines(f) for f in files)
    for rel, data in stdlib_subset(lines - handler_lines, seed):
        target = root / "lib" / rel
        target.parent.mkdir(parents=True, exist_ok=True)
        target.write_bytes(data)
        files.append(target)
    total = sum(_lines(f) for f in files)
    return Inputs("mixed", root, files, total, handler_lines, changed=root / "app" / "orders_1.py", lsp_file=lsp_file)


def dense_project(folder: Path, modules: int = 300, seed: int = 7) -> Inputs:
    root = _fresh(folder)
    files = [_write(root / "app.py", app_module(modules, "")), *handler_package(root, modules, "", random.Random(seed))]
    total = sum(_lines(f) for f in files)
    helper_lines = sum(_lines(f) for f in files if f.name.startswith("helpers_"))
    return Inputs("dense", root, files, total, total - helper_lines, changed=root / "orders_1.py")


def edit_changed_module(inputs: Inputs, n: int) -> None:
    """A real code edit (a threshold) in one handler module: new content every call."""
    text = inputs.changed.read_text()
    inputs.changed.write_text(re.sub(r"if total > \d+:", f"if total > {1000 + n}:", text, count=1))
