"""The service runtime as one object: the job store, the worker pool, the jobs, the replica cache and the
warm-up, opened together and closed in the right order.

A face makes one :class:`Service` when it starts (the REST app in its lifespan), calls :meth:`Service.start`
inside its event loop, and :meth:`Service.close` when it stops.
"""

from __future__ import annotations

import asyncio
from typing import Any

from bpr.service.jobs import JobManager
from bpr.service.pool import WorkerPool
from bpr.service.replicas import ReplicaCache
from bpr.service.settings import ServiceSettings
from bpr.service.store import JobStore
from bpr.service.warm import Shipped, Warmer

__all__ = ["INTERRUPTED", "Service"]

INTERRUPTED = "the server stopped while this job was queued or running (restart)"
"""Why a job found queued or running at start-up has failed: the server that ran it was killed."""


class Service:
    """Opens the job store (failing the jobs a killed server left behind, deleting old results), starts the
    worker pool, and builds the jobs manager, the replica cache and the warm-up on them."""

    def __init__(self, settings: ServiceSettings, shipped: Shipped) -> None:
        self.settings = settings
        self.store = JobStore(settings.db_path)
        self.store.fail_interrupted(INTERRUPTED)
        self.store.prune(settings.job_result_days * 86400)
        self.pool = WorkerPool(settings.workers, preload="bpr.service.tasks", start=settings.warm_workers)
        self.jobs = JobManager(self.store, self.pool, settings)
        self.replicas = ReplicaCache(settings.replica_cache_entries, settings.replica_cache_bytes)
        self.warmer = Warmer(settings, self.jobs, self.replicas, shipped)

    def start(self) -> None:
        """Start the warm-up in the background, when it is on (inside the running event loop)."""
        self.warmer.start()

    async def close(self) -> None:
        """Stop the warm-up, then the workers (jobs still active fail with the reason), forget the kept
        replications and close the store."""
        await self.warmer.stop()  # before the pool goes: its replication in flight is cancelled
        await asyncio.to_thread(self.jobs.shutdown)
        self.replicas.clear()
        self.store.close()

    def health(self) -> dict[str, Any]:
        """How busy the service is: workers, active runs and their limit, the replica cache, the warm-up."""
        return {"workers": self.settings.workers, "active": self.jobs.active_count,
                "max_active": self.settings.max_active, "replicas": self.replicas.stats(),
                "warm": self.warmer.status()}
