"""Worker side of the upload wizard (no Qt): thin jobs over ``services.upload_preview`` and submit."""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from functools import partial
from pathlib import Path
from typing import TYPE_CHECKING

from turnout_desktop.gui.jobs import ContextSpec, open_worker_context
from turnout_desktop.services.upload_preview import UploadCheck, check_upload

if TYPE_CHECKING:
    from turnout_desktop.services.outbox import SubmitOrQueueResult
    from turnout_desktop.services.submission_results import SubmitResult


def run_precheck(spec: ContextSpec | None, paths: list[Path], *, county: str | None, election: dt.date | None,
                 party: str | None, method: str | None, mapping: dict[str, str] | None,
                 progress: Callable[[float, str], None], cancelled: Callable[[], bool]) -> UploadCheck:
    """Pre-check (works offline), preview rows, column quality and the submit risks, from one read of the files.

    The statewide counts come from the database of ``spec`` (none without one); the pre-check never
    fails for them (``services/statewide_cache.py``, the reader ``turnout precheck`` uses too).
    """
    from turnout_desktop.services.statewide_cache import read_statewide_cache
    from turnout_desktop.services.upload_risks import read_upload_risks

    if spec is None:
        return check_upload(paths, county=county, election=election, party=party, method=method, mapping=mapping,
                            progress=progress)
    cache = read_statewide_cache(lambda: open_worker_context(spec).engine, election)
    # Offline, asking the same database again would only wait for a second connect timeout.
    risks = None if cache.unreadable else partial(read_upload_risks, lambda: open_worker_context(spec).engine,
                                                  election=election)
    return check_upload(paths, county=county, election=election, party=party, method=method, mapping=mapping,
                        statewide=cache, progress=progress, risks=risks)


def submit(spec: ContextSpec, paths: list[Path], *, election: dt.date, county: str | None, party: str | None,
           method: str | None, mapping: dict[str, str] | None, progress: Callable[[float, str], None],
           cancelled: Callable[[], bool]) -> SubmitResult | SubmitOrQueueResult:
    """``services.submission.submit_files`` with reconciliation, on the worker.

    With a shared server (``spec.uses_outbox``) the upload goes through ``services.outbox.submit_or_queue``:
    an unreachable server queues it in the local outbox and the result (a ``SubmitOrQueueResult``) says so.
    """
    from turnout_desktop.services.outbox import submit_or_queue
    from turnout_desktop.services.submission import submit_files

    if spec.uses_outbox:
        return submit_or_queue(
            open_worker_context(spec.outbox_spec()), spec.connect_url, paths, election=election, county=county,
            party=party, method=method, mapping=mapping or None, user=spec.user, reconcile=True,
            progress=progress, cancel=cancelled)
    return submit_files(open_worker_context(spec), paths, election=election, county=county, party=party,
                        method=method, mapping=mapping or None, reconcile=True, progress=progress, cancel=cancelled)
