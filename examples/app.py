"""The shop's Restate endpoint: `hypercorn app:app` from this folder."""

import restate

from cart import cart
from checkout import checkout
from payments import payments

app = restate.app([cart, checkout, payments])
