"""Fault injection for the crash-recovery tests; inert in production.

Tests set WEBDEMO_TEST_KILL_AFTER_DDL=k to have the process SIGKILL
itself right after the k-th revision DDL statement it runs, before the
journal hears of it: the worst moment. WEBDEMO_TEST_STOP_AFTER_DDL=k
SIGSTOPs it there instead (a stalled holder, resumed by the test with
SIGCONT). Without either variable, nothing is attached to any connection.
"""

import functools
import os
import signal

import sqlalchemy

from webdemo.db import sql_text

KILL_AFTER_ENV = 'WEBDEMO_TEST_KILL_AFTER_DDL'
STOP_AFTER_ENV = 'WEBDEMO_TEST_STOP_AFTER_DDL'
_SIGNALS = {KILL_AFTER_ENV: signal.SIGKILL, STOP_AFTER_ENV: signal.SIGSTOP}


class _SignalAfter:
    """Counts revision DDL across the process; signals it at the k-th."""

    def __init__(self, after, signal_number):
        self._after = after
        self._signal = signal_number
        self._executed = 0

    def after(self, conn, cursor, statement, parameters, context, many):
        if sql_text.is_revision_ddl(statement):
            self._executed += 1
            if self._executed == self._after:
                os.kill(os.getpid(), self._signal)


@functools.cache
def _requested_hook():
    for variable, signal_number in _SIGNALS.items():
        after = int(os.environ.get(variable) or 0)
        if after:
            return _SignalAfter(after, signal_number)
    return None


def attach_if_requested(connection):
    """Attach the signal hook to connection when the tests asked for one."""
    hook = _requested_hook()
    if hook is not None:
        sqlalchemy.event.listen(connection, 'after_cursor_execute',
                                hook.after)
