"""A Galera cluster: MySQL, with the migration lock as a replicated lease.

GET_LOCK is local to one node, and a load balancer may hand each new
connection to another node, so the migration lock is a lease row that
every node replicates (lease.py); every session reads causally
(galera_sessions.py). Everything else is MySQL's.
"""

from webdemo.db.backends import locks
from webdemo.db.backends import mysql
from webdemo.db.locking import lease


class Galera(mysql.MySQL):

    name = 'galera'
    cluster = True

    def migration_lock(self, lease_seconds):
        return lease.LeaseLock(self.engine, locks.NAME, lease_seconds)
