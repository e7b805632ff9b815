"""What the SDK's ctx.random()/ctx.uuid() are seeded with, recomputed from an invocation id alone.

restate-server 1.7 (without the opt-in `experimental_enable_unique_random_seeds`) sends each
invocation the seed `InvocationId::to_random_seed`: Rust's DefaultHasher (SipHash-1-3, keys 0)
over the id's 24 bytes (partition key then uuid, big-endian), length-prefixed as a slice is. The
Python SDK seeds `random.Random` with it, and ctx.uuid() is `UUID(int=getrandbits(128), version=4)`.
An invocation id is printed in logs, returned to every caller and listed in the admin API.
"""

from __future__ import annotations

import random
import uuid

_BASE62 = "0123456789abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ"
_MASK = 2**64 - 1


def _rotl(x: int, b: int) -> int:
    return ((x << b) | (x >> (64 - b))) & _MASK


def siphash13(data: bytes, k0: int = 0, k1: int = 0) -> int:
    v = [k0 ^ 0x736F6D6570736575, k1 ^ 0x646F72616E646F6D, k0 ^ 0x6C7967656E657261, k1 ^ 0x7465646279746573]

    def sip_round() -> None:
        v[0] = (v[0] + v[1]) & _MASK; v[1] = _rotl(v[1], 13) ^ v[0]; v[0] = _rotl(v[0], 32)
        v[2] = (v[2] + v[3]) & _MASK; v[3] = _rotl(v[3], 16) ^ v[2]
        v[0] = (v[0] + v[3]) & _MASK; v[3] = _rotl(v[3], 21) ^ v[0]
        v[2] = (v[2] + v[1]) & _MASK; v[1] = _rotl(v[1], 17) ^ v[2]; v[2] = _rotl(v[2], 32)

    def compress(m: int) -> None:  # one round per 8-byte word: the "1" of SipHash-1-3
        v[3] ^= m
        sip_round()
        v[0] ^= m

    whole = len(data) - len(data) % 8
    for i in range(0, whole, 8):
        compress(int.from_bytes(data[i:i + 8], "little"))
    compress(((len(data) & 0xFF) << 56) | int.from_bytes(data[whole:], "little"))
    v[2] ^= 0xFF
    for _ in range(3):  # the "3": finalisation rounds
        sip_round()
    return v[0] ^ v[1] ^ v[2] ^ v[3]


def _base62(text: str) -> int:
    value = 0
    for char in text:
        value = value * 62 + _BASE62.index(char)
    return value


def _byteswap(value: int, size: int) -> int:
    return int.from_bytes(value.to_bytes(size, "little"), "big")


def invocation_id_parts(invocation_id: str) -> tuple[int, int]:
    """(partition key, uuid) of "inv_1" + base62(pk, 11 chars) + base62(uuid, 22 chars); the
    server encodes each number's big-endian bytes read as a little-endian integer."""
    assert invocation_id.startswith("inv_1") and len(invocation_id) == 38, invocation_id
    return _byteswap(_base62(invocation_id[5:16]), 8), _byteswap(_base62(invocation_id[16:]), 16)


def random_seed(invocation_id: str) -> int:
    partition_key, invocation_uuid = invocation_id_parts(invocation_id)
    raw = partition_key.to_bytes(8, "big") + invocation_uuid.to_bytes(16, "big")
    return siphash13(len(raw).to_bytes(8, "little") + raw)


def ctx_random(invocation_id: str) -> random.Random:
    """The invocation's ctx.random(), before any draw."""
    return random.Random(random_seed(invocation_id))


def first_ctx_uuid(invocation_id: str) -> uuid.UUID:
    return uuid.UUID(int=ctx_random(invocation_id).getrandbits(128), version=4)
