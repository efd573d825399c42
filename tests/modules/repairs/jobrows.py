"""Job rows as intake leaves them, for tests of services that only read or extend jobs."""

from __future__ import annotations

import secrets
from itertools import count

from jewelerp.db import unit_of_work
from modules.repairs.models import Job

_numbers = count(1)


def job_row(store_id: int, kind: str = "custom", stage: str = "design", **fields) -> int:
    """Insert a job of ``kind`` at ``stage`` in the store; returns its id."""
    with unit_of_work() as session:
        job = Job(
            store_id=store_id,
            number=f"{'RP' if kind == 'repair' else 'CO'}-T-{next(_numbers):06d}",
            kind=kind,
            stage=stage,
            public_token=secrets.token_urlsafe(16),
            **fields,
        )
        session.add(job)
        session.flush()
        return job.id
