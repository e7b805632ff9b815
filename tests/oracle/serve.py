"""Serve the Restate services of some Python files as one deployment (one process, no fork).

Run by the oracle as `python -m tests.oracle.serve PORT FILE_OR_FOLDER...`. A folder is a
multi-module fixture: it goes on `sys.path` and each of its modules is imported.
The hypercorn CLI is not used because its worker process outlives its parent.
With RESTATE_ORACLE_ONE_REQUEST=1 each connection serves one request (see balancer.py).
"""

from __future__ import annotations

import asyncio
import importlib.util
import logging
import os
import sys
from pathlib import Path

import restate
from hypercorn.asyncio import serve
from hypercorn.config import Config

_KINDS = (restate.Service, restate.VirtualObject, restate.Workflow)


def _import(path: Path):
    spec = importlib.util.spec_from_file_location(path.stem, path)
    module = importlib.util.module_from_spec(spec)
    sys.modules[path.stem] = module
    spec.loader.exec_module(module)
    return module


def _modules(path: Path) -> list:
    if path.is_dir():
        sys.path.insert(0, str(path))  # a folder's modules import each other by plain name
        return [importlib.import_module(file.stem) for file in sorted(path.glob("*.py"))]
    return [_import(path)]


def services(paths: list[Path]) -> list:
    found: dict[int, object] = {}
    for path in paths:
        for module in _modules(path):
            found.update((id(v), v) for v in vars(module).values() if isinstance(v, _KINDS))
    return list(found.values())


def main() -> None:
    port, *paths = sys.argv[1:]
    logging.basicConfig(level=logging.INFO)  # as a deployment would: handlers' info logs are seen
    app = restate.app(services([Path(p) for p in paths]))
    config = Config()
    config.bind = [f"127.0.0.1:{port}"]
    config.accesslog = None
    config.graceful_timeout = 0
    if os.environ.get("RESTATE_ORACLE_ONE_REQUEST"):
        config.keep_alive_max_requests = 1
    asyncio.run(serve(app, config))


if __name__ == "__main__":
    main()
