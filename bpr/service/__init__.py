"""The service runtime that both faces can use: jobs, worker processes, kept replications, the warm-up.

Nothing here is HTTP: :mod:`bpr.api` turns requests into calls of these modules and their answers and
refusals (:mod:`bpr.service.errors`) into responses.

=======================  ==========================================================================
:mod:`~.runtime`         :class:`~bpr.service.runtime.Service`: the parts below, opened and closed together
:mod:`~.settings`        where jobs are kept, how many workers, how much work and memory
:mod:`~.store`           job records and results in SQLite
:mod:`~.pool`            worker processes that a cancel can stop
:mod:`~.jobs`            runs as jobs: from the store, joined, or started in the pool; limits; cancel
:mod:`~.replicas`        replication outputs kept in memory for later requests
:mod:`~.runs`            simulate and what-if as work: one task per replication, estimates
:mod:`~.redesign`        a redesign as work: one task, its estimate
:mod:`~.tasks`           what the worker processes run
:mod:`~.warm`            the idle-time warm-up of the shipped scenarios
=======================  ==========================================================================

This package imports nothing on its own: a worker process imports :mod:`bpr.service.tasks` and the engine
only.
"""
