"""Plain pricing helpers (no Restate imports).

Most of these are pure. fetch_exchange_rate() talks to an external FX API, so it
must only run inside a ctx.run_typed action (cart.quote does that correctly).
"""

import json
import urllib.request

from models import CartItem

FX_API = "https://fx.example.com/latest"
BASE_CURRENCY = "EUR"


def line_total(item: CartItem) -> int:
    return item["quantity"] * item["unit_price_cents"]


def subtotal(items: list[CartItem]) -> int:
    return sum(line_total(item) for item in items)


def convert(amount_cents: int, rate: float) -> int:
    return round(amount_cents * rate)


def fetch_exchange_rate(currency: str) -> float:
    if currency == BASE_CURRENCY:
        return 1.0
    with urllib.request.urlopen(f"{FX_API}?base={BASE_CURRENCY}&symbols={currency}", timeout=5) as resp:
        return float(json.load(resp)["rates"][currency])


def quote_total(items: list[CartItem], currency: str) -> int:
    """Subtotal converted to the customer's currency, at today's rate."""
    return convert(subtotal(items), fetch_exchange_rate(currency))
