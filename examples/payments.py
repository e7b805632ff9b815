"""Payments: a stateless Service in front of the card provider."""

import restate
from restate import Context, RunOptions, TerminalError

import gateway
from models import ChargeReceipt, ChargeRequest, RefundRequest

payments = restate.Service("Payments")

FRAUD_THRESHOLD = 0.9


@payments.handler()
async def charge(ctx: Context, req: ChargeRequest) -> ChargeReceipt:
    # Risk check and card lookup run in parallel; both results are journaled.
    risk = ctx.run_typed("fraud score", gateway.fraud_score, card_token=req["card_token"], amount_cents=req["amount_cents"])
    card = ctx.run_typed("card lookup", gateway.lookup_card, RunOptions(max_attempts=3), card_token=req["card_token"])
    await restate.gather(risk, card)
    if await risk > FRAUD_THRESHOLD:
        raise TerminalError("payment declined: fraud risk", status_code=402)
    brand = await card

    charge_id = await ctx.run_typed(
        "create charge",
        lambda: gateway.create_charge(req["card_token"], req["amount_cents"], req["currency"], str(ctx.uuid())),  # mistake: RST201 context used inside a run action
        RunOptions(max_attempts=5),
    )
    return ChargeReceipt(charge_id=charge_id, card_brand=brand)


@payments.handler()
async def refund(ctx: Context, req: RefundRequest) -> str:
    return await ctx.run_typed("refund", gateway.refund_charge(req["charge_id"], req["amount_cents"]))  # mistake: RST203 run action is a call (a coroutine object)
