"""Stands in for the Fraud service of RST502's fixture: it takes its time, so its caller can be
cancelled while it waits."""

from datetime import timedelta

import restate

fraud = restate.Service("Fraud")


@fraud.handler()
async def check(ctx: restate.Context, req: dict) -> bool:
    await ctx.sleep(timedelta(seconds=30))
    return True
