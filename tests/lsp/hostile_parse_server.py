"""`restate-lint lsp` whose parser misbehaves on marked files, as a native crash, a runaway
allocation or a parse that holds the interpreter would. The patch is applied wherever this module
runs: in the server, and in its spawned worker processes (which import it as their main module)."""

import ctypes
import os

from restate_lint import pool, worker
from restate_lint.lsp.server import serve

_real_build_model = worker.build_model


def build_model(file, names):
    data = file.data
    if b"CRASH-THE-PARSER" in data:
        os.abort()  # as a segfault in the native parser: the process is gone
    if b"BALLOON" in data:
        hoard = [bytearray(256 << 20) for _ in range(64)]  # 16 GiB, touched as it grows: far over the bound
        del hoard
    if b"GATE:" in data:  # block, holding the interpreter lock, until the test writes to the FIFO
        gate = data.split(b"GATE:", 1)[1].split(b"\n", 1)[0].strip()
        libc = ctypes.PyDLL(None)  # PyDLL: the lock is not released around these calls
        libc.open.argtypes, libc.read.argtypes = [ctypes.c_char_p, ctypes.c_int], [ctypes.c_int, ctypes.c_void_p, ctypes.c_size_t]
        fd = libc.open(gate, os.O_RDONLY)
        libc.read(fd, ctypes.create_string_buffer(1), 1)
        os.close(fd)
    return _real_build_model(file, names)


worker.build_model = build_model
# a bound that the balloon reaches after touching about 1 GiB, not 4 (the parent reads it)
os.environ.setdefault(pool.Processes.MEMORY_ENV, "1024")

if __name__ == "__main__":
    serve()
