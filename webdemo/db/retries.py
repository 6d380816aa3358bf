"""Retry an API transaction the database aborted to let another through.

A deadlock (MySQL 1213) is the database's own way of saying "run that
again": InnoDB picks a victim among transactions waiting on each other,
and on Galera a transaction is also aborted when another node's write
to the same rows certifies first, or when a schema change runs there in
total order (a contract during a rolling upgrade). oslo.db reports all
of them as DBDeadlock; the data access of the API (users.py,
accounts.py) retries them, as OpenStack services do, a few times with a
short growing pause, so that the caller sees the answer, not a 500.
"""

from oslo_db import api as oslo_db_api

# About two seconds in all, with the pauses doubling from 0.05 s: longer
# than the few hundred milliseconds a Galera schema change holds a small
# table, shorter than a client's patience.
on_deadlock = oslo_db_api.wrap_db_retry(
    max_retries=6, retry_interval=0.05, inc_retry_interval=True,
    max_retry_interval=1, retry_on_deadlock=True)
