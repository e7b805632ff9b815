"""A round-robin TCP balancer: connection n goes to backend n mod N.

Run by the oracle as `python -m tests.oracle.balancer PORT BACKEND_PORT...` in front of several
processes serving the same deployment, each with its own hash seed. The backends close each
connection after one request, so every replay of a request-response deployment runs in the next
process: the production shape of several service instances behind a load balancer.
"""

from __future__ import annotations

import asyncio
import itertools
import sys


async def _pipe(reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
    try:
        while data := await reader.read(65536):
            writer.write(data)
            await writer.drain()
    except ConnectionError:
        pass
    finally:
        writer.close()


async def main(port: int, backends: list[int]) -> None:
    turn = itertools.cycle(backends)

    async def forward(client_reader, client_writer):
        backend_reader, backend_writer = await asyncio.open_connection("127.0.0.1", next(turn))
        await asyncio.gather(_pipe(client_reader, backend_writer), _pipe(backend_reader, client_writer))

    server = await asyncio.start_server(forward, "127.0.0.1", port)
    async with server:
        await server.serve_forever()


if __name__ == "__main__":
    asyncio.run(main(int(sys.argv[1]), [int(p) for p in sys.argv[2:]]))
