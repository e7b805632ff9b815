"""Stand in for the services RST502's fixtures call: they take their time, so their callers can be
cancelled while they wait."""

from datetime import timedelta

import restate

fraud = restate.Service("Fraud")
storage = restate.Service("Storage")


@fraud.handler()
async def check(ctx: restate.Context, req: dict) -> bool:
    await ctx.sleep(timedelta(seconds=30))
    return True


@storage.handler()
async def upload(ctx: restate.Context, report: dict) -> str:
    await ctx.sleep(timedelta(seconds=30))
    return "s3://reports/late"
