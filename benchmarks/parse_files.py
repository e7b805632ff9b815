"""The bare-parse baseline: `libcst.parse_module` over every file named in LIST (one path a line),
one process. Prints the in-process parse seconds (import and start-up excluded) as JSON."""

import json
import sys
import time
from pathlib import Path

import libcst as cst

paths = Path(sys.argv[1]).read_text().splitlines()
start = time.perf_counter()
for path in paths:
    cst.parse_module(Path(path).read_bytes())
print(json.dumps({"files": len(paths), "seconds": time.perf_counter() - start}))
