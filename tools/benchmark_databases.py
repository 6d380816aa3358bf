"""The databases and processes the benchmarks under tools/ time.

A Database is a fresh database on one backend, made empty on demand
(SQLite files; MySQL and PostgreSQL databases made on the servers with
oslo.db's openstack_citest user, tools/test-setup.sh); timed() runs a
child process to its end.
"""

import os
import subprocess
import tempfile
import time

import sqlalchemy

SERVERS = {
    'mysql': 'mysql+pymysql://openstack_citest:openstack_citest@127.0.0.1/',
    'postgresql': 'postgresql+psycopg2://openstack_citest:openstack_citest'
                  '@127.0.0.1/postgres',
}


class Database:
    """A fresh database on one backend, made empty on demand."""

    def __init__(self, backend, workdir, name):
        self.backend = backend
        if backend == 'sqlite':
            self._path = os.path.join(workdir, f'{name}.db')
            self.url = f'sqlite:///{self._path}'
        else:
            admin = sqlalchemy.engine.make_url(SERVERS[backend])
            self._admin = sqlalchemy.create_engine(admin).execution_options(
                isolation_level='AUTOCOMMIT')
            self._name = name
            self.url = admin.set(database=name).render_as_string(
                hide_password=False)

    def empty(self):
        if self.backend == 'sqlite':
            for suffix in ('', '-journal', '.migration-lock'):
                if os.path.exists(self._path + suffix):
                    os.unlink(self._path + suffix)
            return
        with self._admin.connect() as connection:
            connection.exec_driver_sql(f'DROP DATABASE IF EXISTS {self._name}')
            connection.exec_driver_sql(f'CREATE DATABASE {self._name}')

    def drop(self):
        if self.backend != 'sqlite':
            with self._admin.connect() as connection:
                connection.exec_driver_sql(
                    f'DROP DATABASE IF EXISTS {self._name}')
            self._admin.dispose()


def reachable(backend):
    if backend == 'sqlite':
        return True
    try:
        with sqlalchemy.create_engine(SERVERS[backend]).connect():
            return True
    except sqlalchemy.exc.SQLAlchemyError:
        return False


def reachable_backends(names, required):
    """The backends of comma-separated names that can be reached.

    One that cannot is left out, and said so, or, when required, ends
    the run; a name that is no backend ends it too.
    """
    found = []
    for backend in names.split(','):
        if backend != 'sqlite' and backend not in SERVERS:
            raise SystemExit(f'{backend}: not a backend; name sqlite, '
                             f'{", ".join(SERVERS)}')
        if reachable(backend):
            found.append(backend)
        elif required:
            raise SystemExit(f'{backend} cannot be reached')
        else:
            print(f'{backend} cannot be reached: left out')
    return found


def timed(argv, env, cwd=None):
    """Run argv to its end: (seconds, peak RSS in MiB, stdout)."""
    with tempfile.TemporaryFile('w+') as out, \
            tempfile.TemporaryFile('w+') as err:
        started = time.perf_counter()
        process = subprocess.Popen(argv, env=env, cwd=cwd, stdout=out,
                                   stderr=err)
        # wait4, not wait: it also returns the child's own peak memory.
        _, status, usage = os.wait4(process.pid, 0)
        seconds = time.perf_counter() - started
        process.returncode = os.waitstatus_to_exitcode(status)
        out.seek(0)
        err.seek(0)
        if process.returncode:
            raise SystemExit(f'{" ".join(argv[:5])} ... failed '
                             f'({process.returncode}):\n{err.read()}')
        return seconds, usage.ru_maxrss / 1024, out.read()
