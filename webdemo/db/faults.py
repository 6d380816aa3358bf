"""Fault injection for the crash-recovery tests; inert in production.

Tests set WEBDEMO_TEST_KILL_AFTER_DDL=k to have the process SIGKILL
itself right after the k-th revision DDL statement it runs, before the
journal hears of it: the worst moment. Without the variable, nothing is
attached to any connection.
"""

import functools
import os
import signal

import sqlalchemy

from webdemo.db import statements

KILL_AFTER_ENV = 'WEBDEMO_TEST_KILL_AFTER_DDL'


class _KillAfter:
    """Counts revision DDL across the process; kills at the k-th."""

    def __init__(self, kill_after):
        self._kill_after = kill_after
        self._executed = 0

    def after(self, conn, cursor, statement, parameters, context, many):
        if statements.is_revision_ddl(statement):
            self._executed += 1
            if self._executed == self._kill_after:
                os.kill(os.getpid(), signal.SIGKILL)


@functools.cache
def _requested_hook():
    kill_after = int(os.environ.get(KILL_AFTER_ENV) or 0)
    return _KillAfter(kill_after) if kill_after else None


def attach_if_requested(connection):
    """Attach the kill hook to connection when the tests asked for one."""
    hook = _requested_hook()
    if hook is not None:
        sqlalchemy.event.listen(connection, 'after_cursor_execute',
                                hook.after)
