"""Request/response shapes shared by the shop services (plain TypedDicts, JSON on the wire)."""

from typing import Optional, TypedDict


class CartItem(TypedDict):
    sku: str
    quantity: int
    unit_price_cents: int


class ChargeRequest(TypedDict):
    payment_ref: str
    card_token: str
    amount_cents: int
    currency: str


class ChargeReceipt(TypedDict):
    charge_id: str
    card_brand: str


class RefundRequest(TypedDict):
    charge_id: str
    amount_cents: int


class CheckoutRequest(TypedDict):
    cart_id: str
    card_token: str
    currency: str
    email: str


class CheckoutResult(TypedDict):
    order_id: str
    status: str
    charge_id: Optional[str]
