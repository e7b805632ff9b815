"""How often the garbage collector runs while files are parsed, modelled and reported."""

from __future__ import annotations

import gc
from contextlib import contextmanager
from typing import Iterator


@contextmanager
def fewer_collections() -> Iterator[None]:
    """Garbage collections as rarely as memory allows, for a run's length.

    A tree is millions of small objects without cycles (a model's are broken by `release`), so
    the collector's passes over them, every 700 allocations and over every tree kept for its check,
    found next to nothing and cost 15-20% of a dense project's run. The process that hands out
    files is the same with the summaries and results it unpickles (a quarter of its time after
    the checks of a dense project)."""
    before = gc.get_threshold()
    gc.set_threshold(100_000, 50, 50)
    try:
        yield
    finally:
        gc.set_threshold(*before)
