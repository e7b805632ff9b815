"""Client for the card provider and the mailer (plain module, no Restate imports).

Everything here has side effects: call these only from inside ctx.run_typed actions.
"""

import json
import smtplib
import urllib.request
from email.message import EmailMessage

PROVIDER_API = "https://payments.example.com/v1"
SMTP_HOST = "localhost"


def _post(path: str, payload: dict) -> dict:
    request = urllib.request.Request(
        f"{PROVIDER_API}/{path}",
        data=json.dumps(payload).encode(),
        headers={"content-type": "application/json"},
        method="POST",
    )
    with urllib.request.urlopen(request, timeout=10) as resp:
        return json.load(resp)


def fraud_score(card_token: str, amount_cents: int) -> float:
    return float(_post("risk", {"card": card_token, "amount": amount_cents})["score"])


def lookup_card(card_token: str) -> str:
    return _post("cards/lookup", {"card": card_token})["brand"]


def create_charge(card_token: str, amount_cents: int, currency: str, request_id: str) -> str:
    body = {"card": card_token, "amount": amount_cents, "currency": currency, "request_id": request_id}
    return _post("charges", body)["id"]


async def refund_charge(charge_id: str, amount_cents: int) -> str:
    # Sandbox provider: refunds are accepted synchronously, nothing to call.
    return f"refund-{charge_id}-{amount_cents}"


def send_receipt_email(email: str, order_id: str, total_cents: int) -> None:
    message = EmailMessage()
    message["To"] = email
    message["From"] = "shop@example.com"
    message["Subject"] = f"Your order {order_id}"
    message.set_content(f"Thanks! We charged {total_cents / 100:.2f}.")
    with smtplib.SMTP(SMTP_HOST) as smtp:
        smtp.send_message(message)
