"""Child process for the docs/reliability.md T8 stress test: submit county uploads in a loop, then report as JSON.

Usage: ``python submit_worker.py DB_URL COUNTY ELECTION ITERATIONS WORKER FILE...``. Iteration i of
worker w submits ``FILE[(w + i) % len(FILE)]``, so the workers keep replacing each other's uploads.
Any exception ends the process with a traceback on stderr and exit code 1.
"""

from __future__ import annotations

import datetime as dt
import json
import sys
from pathlib import Path

from turnout_desktop.services.context import open_context
from turnout_desktop.services.submission import submit_files


def main(argv: list[str]) -> int:
    url, county, election, iterations, worker, *files = argv
    local = url.startswith("sqlite")  # on PostgreSQL the login acts; a name is only given to a local file
    ctx = open_context(url, user=f"office{worker}" if local else None, migrate=False)
    stored = duplicates = 0
    for iteration in range(int(iterations)):
        path = Path(files[(int(worker) + iteration) % len(files)])
        result = submit_files(ctx, [path], election=dt.date.fromisoformat(election), county=county, reconcile=False)
        stored += int(result.stored)
        duplicates += int(result.duplicate)
    ctx.engine.dispose()
    print(json.dumps({"worker": int(worker), "stored": stored, "duplicate": duplicates}))
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
