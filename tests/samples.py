"""Small Restate modules shared by the command-line tests."""

# one RST202 (safe fix: `await`)
HANDLER = """\
from datetime import timedelta

import restate

greeter = restate.Service("Greeter")


@greeter.handler()
async def greet(ctx: restate.Context, name: str) -> str:
    ctx.sleep(timedelta(seconds=1))
    return name
"""
FIXED = HANDLER.replace("    ctx.sleep(", "    await ctx.sleep(")
