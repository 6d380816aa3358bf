"""The schema guard: serve only on a schema this release can run on.

Every few seconds ([api] schema_check_interval; never per request) each
worker reads where the database stands (status.get_state). Outside
this release's range every request is answered 503 with a JSON body
naming the state and the command to run, /healthcheck included; the
log says so once per change, not per request. It serves again as soon
as a later read finds the schema back in range, without a restart.

Between a schema change and the next read, a request can meet the new
schema: a query naming a table or column that is gone. Such a request
is answered 503 like the rest, with a line in the log and no traceback,
and the guard reads the state again at the next request (register()),
so that the requests after it are answered by the guard rather than
failing one by one.

What the range is, is one pure function, unavailable().
"""

import logging as std_logging
import threading
import time

from oslo_log import log as logging

from webdemo.api import errors
from webdemo.db import errors as db_errors
from webdemo.db.state import judge
from webdemo.db.state.judge import Status
from webdemo.db.state import status

LOG = logging.getLogger(__name__)

# This release runs once its expand phase is applied, before and after
# its contract (webdemo/db/users.py reads both shapes), also when an
# applied script was edited since (db check says which).
_SERVING = judge.EXPANDED | {Status.CHANGED_SCRIPT}


def unavailable(state):
    """None when this release can serve on state, else why not (a line)."""
    if state.status in _SERVING:
        return None
    # A later release's revisions beyond this release's whole schema: its
    # expand, in a rolling upgrade. Its contract cannot be one this
    # release cannot run after: db sync refuses such a contract while a
    # service of this release is registered live (rolling/services.py).
    if state.status == Status.UNKNOWN_REVISION and state.known_expanded:
        return None
    return (f'the database schema is at {judge.describe(state)}, '
            f'which this release cannot serve on: '
            f'{judge.next_step(state)}.')


def reader(engine):
    """The read_state for SchemaGuard: the state, no row counts."""
    return lambda: status.get_state(engine, count_data=False)


class SchemaGuard:
    """WSGI middleware answering 503 while the schema is out of range.

    :param application: the WSGI application it guards
    :param read_state: returns the database's state.DatabaseState
    :param interval: seconds between two reads of the state
    :param clock: a monotonic clock (tests may pass their own)
    """

    def __init__(self, application, read_state, interval,
                 clock=time.monotonic):
        self._application = application
        self._read_state = read_state
        self._interval = interval
        self._clock = clock
        self._lock = threading.Lock()
        self._read_at = None
        self._why = None

    def __call__(self, environ, start_response):
        return self._answer(self._application, environ, start_response)

    def around(self, application):
        """application guarded too, by the same reads of the state.

        For what sits beside the guarded application rather than in it
        (/healthcheck, outside authentication).
        """
        return lambda environ, start_response: self._answer(
            application, environ, start_response)

    def _answer(self, application, environ, start_response):
        why = self._current()
        if why is None:
            return application(environ, start_response)
        return errors.answer(start_response, 503, why,
                             [('Retry-After', '5')])

    def _current(self):
        with self._lock:
            now = self._clock()
            if self._read_at is None or now - self._read_at >= self._interval:
                self._read_at = now
                self._change_to(self._read())
            return self._why

    def expire(self):
        """Read the state at the next request, whatever the interval."""
        with self._lock:
            self._read_at = None

    def _read(self):
        try:
            return unavailable(self._read_state())
        except Exception:
            # The details go to the log, not to every client.
            LOG.warning('Cannot read the database schema\'s state.',
                        exc_info=True)
            return ('the database cannot be read; see the service\'s log '
                    'for why.')

    def _change_to(self, why):
        if why == self._why:
            return
        if why is None:
            LOG.info('The database schema is back in range: serving.')
        else:
            LOG.error('Not serving: %s', why)
        self._why = why


# A query met a schema that changed under it.
_GONE = (db_errors.Kind.NO_TABLE, db_errors.Kind.NO_COLUMN)
_CHANGED_UNDER = ('the database schema changed while this request ran; '
                  'retry it')


def register(app, guard):
    """Answer app's requests that met a table or column gone with 503.

    Any other database error goes on to Flask's own answer (500).

    :param guard: the SchemaGuard in front of app, asked to look again
    """
    def schema_changed(error):
        if db_errors.kind_of(error) not in _GONE:
            raise error
        # INFO: at WARNING and above oslo.log would add the exception
        # being handled to the line; the guard's own line follows at
        # the next request.
        LOG.info('A request met a table or column that is gone (%s): the '
                 'schema\'s state is read again at the next request.',
                 db_errors.message(error))
        guard.expire()
        return errors.flask_answer(503, _CHANGED_UNDER,
                                   [('Retry-After', '5')])

    for error_class in db_errors.DATABASE_ERRORS:
        app.register_error_handler(error_class, schema_changed)
    # oslo.db logs the traceback of an error it does not know (a column
    # gone, on PostgreSQL) before handing it on: answered here, it says
    # nothing the line above does not.
    std_logging.getLogger('oslo_db.sqlalchemy.exc_filters').addFilter(
        _not_gone)


def _not_gone(record):
    """Whether a log record is about anything but a table or column gone."""
    error = record.exc_info[1] if record.exc_info else None
    return error is None or db_errors.kind_of(error) not in _GONE
