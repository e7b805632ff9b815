"""Cart: one Virtual Object per shopping cart (key = cart id)."""

from datetime import timedelta

import restate
from restate import ObjectContext, ObjectSharedContext, RunOptions

import pricing
from models import CartItem

cart = restate.VirtualObject("Cart")

ITEMS = "items"
GENERATION = "generation"
HELD_BY = "held_by"
CART_TTL = timedelta(days=7)
CHECKOUT_HOLD = timedelta(minutes=15)


@cart.handler()
async def add_item(ctx: ObjectContext, item: CartItem) -> int:
    items: list[CartItem] = await ctx.get(ITEMS) or []
    items.append(item)
    ctx.set(ITEMS, items)
    # Expire an idle cart with a delayed self-send (the key stays free meanwhile).
    generation = (await ctx.get(GENERATION) or 0) + 1
    ctx.set(GENERATION, generation)
    ctx.object_send(expire, ctx.key(), arg=generation, send_delay=CART_TTL)
    return len(items)


@cart.handler()
async def remove_item(ctx: ObjectContext, sku: str) -> int:
    items: list[CartItem] = await ctx.get(ITEMS) or []
    remaining = [item for item in items if item["sku"] != sku]
    ctx.set(ITEMS, remaining)
    return len(remaining)


@cart.handler()
async def expire(ctx: ObjectContext, generation: int) -> None:
    if await ctx.get(GENERATION) == generation:
        ctx.clear_all()


@cart.handler()
async def hold_for_checkout(ctx: ObjectContext, order_id: str) -> None:
    ctx.set(HELD_BY, order_id)
    await ctx.sleep(CHECKOUT_HOLD)  # mistake: RST401 sleep in an exclusive handler blocks the cart key
    if await ctx.get(HELD_BY) == order_id:
        ctx.clear(HELD_BY)


@cart.handler()
async def clear_cart(ctx: ObjectContext) -> None:
    ctx.clear_all()


@cart.handler(kind="shared")
async def get_items(ctx: ObjectContext) -> list[CartItem]:  # mistake: RST303 shared handler annotated ObjectContext
    return await ctx.get(ITEMS) or []


@cart.handler(kind="shared")
async def quote(ctx: ObjectSharedContext, currency: str) -> int:
    items: list[CartItem] = await ctx.get(ITEMS) or []
    rate = await ctx.run_typed("fx rate", pricing.fetch_exchange_rate, RunOptions(max_attempts=3), currency=currency)
    return pricing.convert(pricing.subtotal(items), rate)
