"""Checkout: one Workflow run per order (key = order id)."""

import uuid
from datetime import timedelta

import restate
from restate import TerminalError, WorkflowContext, WorkflowSharedContext

import gateway
import pricing
from cart import clear_cart, get_items, hold_for_checkout
from models import ChargeRequest, CheckoutRequest, CheckoutResult, RefundRequest
from payments import charge, refund

checkout = restate.Workflow("Checkout")
logger = restate.getLogger("shop.checkout")

PAYMENT_TIMEOUT = timedelta(hours=1)


@checkout.main()
async def run(ctx: WorkflowContext, req: CheckoutRequest) -> CheckoutResult:
    order_id = ctx.key()
    items = await ctx.object_call(get_items, key=req["cart_id"], arg=None)
    if not items:
        raise TerminalError("cart is empty", status_code=400)
    ctx.object_send(hold_for_checkout, key=req["cart_id"], arg=order_id)

    payment_ref = str(uuid.uuid4())  # mistake: RST101 non-deterministic id in durable code (safe fix: ctx.uuid())
    total_cents = pricing.quote_total(items, req["currency"])  # mistake: RST107 run -> quote_total -> fetch_exchange_rate -> urlopen
    ctx.set("payment_ref", payment_ref)
    ctx.set("status", "charging")

    try:
        receipt = await ctx.service_call(
            charge,
            arg=ChargeRequest(
                payment_ref=payment_ref, card_token=req["card_token"], amount_cents=total_cents, currency=req["currency"]
            ),
        )
    except Exception as exc:  # mistake: RST502 swallows TerminalError, including cancellation
        logger.warning("charge failed for order %s: %s", order_id, exc)
        ctx.set("status", "payment_failed")
        return CheckoutResult(order_id=order_id, status="payment_failed", charge_id=None)

    # The provider confirms asynchronously (webhook -> confirm_payment); give up after an hour.
    ctx.set("status", "awaiting_confirmation")
    confirmation = ctx.promise("payment_confirmed", type_hint=str).value()
    match await restate.select(confirmed=confirmation, timeout=ctx.sleep(PAYMENT_TIMEOUT)):
        case ["confirmed", _]:
            pass
        case _:
            await ctx.service_call(refund, arg=RefundRequest(charge_id=receipt["charge_id"], amount_cents=total_cents))
            ctx.set("status", "timed_out")
            return CheckoutResult(order_id=order_id, status="timed_out", charge_id=None)

    ctx.set("status", "paid")
    ctx.run_typed(  # mistake: RST202 unawaited durable op: the email is never sent (safe fix: add await)
        "send receipt", gateway.send_receipt_email, email=req["email"], order_id=order_id, total_cents=total_cents
    )
    ctx.object_send(clear_cart, key=req["cart_id"], arg=None)
    return CheckoutResult(order_id=order_id, status="paid", charge_id=receipt["charge_id"])


@checkout.handler()
async def confirm_payment(ctx: WorkflowSharedContext, charge_id: str) -> None:
    ctx.set("confirmed_charge", charge_id)  # mistake: RST301 state write in a workflow shared handler
    await ctx.promise("payment_confirmed", type_hint=str).resolve(charge_id)


@checkout.handler()
async def status(ctx: WorkflowSharedContext) -> str:
    return await ctx.get("status") or "unknown"
