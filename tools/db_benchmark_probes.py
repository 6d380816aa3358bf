"""What db_benchmark.py's floors and in-process runs execute, as code.

Each is a Python program handed to a child process (python -c), with
the database's URL as its first argument, run from a copy of the
package (db_benchmark.History.python): the floors webdemo is measured
against, the migration tests' walk, and a sync under tracemalloc.
"""

FLOOR_DDL = '''
import re, sys, sqlalchemy
blocks = re.split(r'^-- Running upgrade.*$', open(sys.argv[2]).read(),
                  flags=re.M)[1:]
engine = sqlalchemy.create_engine(sys.argv[1])
with engine.connect() as connection:
    for block in blocks:
        for statement in block.split(';\\n'):
            statement = statement.strip()
            if 'CONCURRENTLY' in statement:
                # As the revision runs it: outside any transaction.
                connection.commit()
                connection.execution_options(isolation_level='AUTOCOMMIT')
                connection.exec_driver_sql(statement)
                connection.commit()
                connection.execution_options(
                    isolation_level=engine.dialect.default_isolation_level)
            elif (statement and 'alembic_version' not in statement
                    and statement not in ('BEGIN', 'COMMIT')):
                connection.exec_driver_sql(statement)
        connection.commit()
'''

FLOOR_OP = '''
import os, sys, sqlalchemy
from alembic.operations import Operations
from alembic.runtime.migration import MigrationContext
from alembic.util import load_python_file
paths = open(sys.argv[2]).read().splitlines()
engine = sqlalchemy.create_engine(sys.argv[1])
with engine.connect() as connection:
    # As Alembic's own loop with transaction_per_migration: autocommit_block
    # works, and each revision commits.
    context = MigrationContext.configure(
        connection, opts={'transaction_per_migration': True})
    with Operations.context(context):
        for path in paths:
            with context.begin_transaction(_per_migration=True):
                load_python_file(*os.path.split(path)).upgrade()
'''

# MySQL: the op floor plus each revision's bookkeeping as webdemo's
# runner writes it there: the version row and, in one statement, the
# revision's journal row finished and the next one's started (webdemo's
# journal table, made first), as the driver's SQL built once. As in the
# runner, one transaction stays open and Alembic commits nothing per
# revision: each revision's rows are committed by the next revision's
# DDL, as part of it. Unlike the runner, a revision that changes rows
# shares the commit of the rows before it (the runner commits those
# first); the counts a revision of several statements records before
# each statement are left out too: a floor, below what webdemo must do.
FLOOR_JOURNAL = '''
import datetime, os, sys, sqlalchemy
from alembic.operations import Operations
from alembic.runtime.migration import MigrationContext
from alembic.util import load_python_file
from sqlalchemy.dialects import mysql
from webdemo.db import bookkeeping
paths = open(sys.argv[2]).read().splitlines()
engine = sqlalchemy.create_engine(sys.argv[1])
journal = bookkeeping.JOURNAL
names = [column.name for column in journal.c]
upsert = mysql.insert(journal).values([
    {name: sqlalchemy.bindparam('f_' + name) for name in names},
    dict({name: sqlalchemy.bindparam('s_' + name) for name in names},
         id=sqlalchemy.null())])
# PyMySQL's paramstyle: named, as the string compiled here has them.
upsert = upsert.on_duplicate_key_update({
    name: upsert.inserted[name] for name in (
        'outcome', 'finished_at', 'duration', 'statements_started',
        'statements_done', 'error')}).compile(dialect=engine.dialect).string
version = ('UPDATE alembic_version SET version_num = %(new)s '
           'WHERE version_num = %(old)s')
def row(prefix, revision, entry=None):
    now = datetime.datetime.now()
    return {prefix + name: value for name, value in dict(
        id=entry, revision=revision, direction='upgrade',
        outcome='succeeded' if entry else 'running', started_at=now,
        finished_at=now if entry else None, duration=0.1 if entry else None,
        error=None, host='host', pid=os.getpid(), webdemo_version='1',
        checksum='0' * 64, statements_started=1,
        statements_done=1 if entry else 0, checkpoint=None).items()}
with engine.connect() as connection:
    journal.create(connection)
    connection.exec_driver_sql('CREATE TABLE alembic_version '
                               '(version_num VARCHAR(32) PRIMARY KEY)')
    connection.exec_driver_sql("INSERT INTO alembic_version VALUES ('0')")
    first = {key[2:]: value for key, value in row('s_', '1').items()}
    entry = connection.execute(journal.insert(), first).inserted_primary_key[0]
    connection.commit()
    connection.begin()
    context = MigrationContext.configure(connection)
    with Operations.context(context):
        for number, path in enumerate(paths, 1):
            load_python_file(*os.path.split(path)).upgrade()
            connection.exec_driver_sql(version, dict(new=str(number),
                                                     old=str(number - 1)))
            entry = connection.exec_driver_sql(upsert, dict(
                row('f_', str(number), entry),
                **row('s_', str(number + 1)))).lastrowid
    connection.commit()
'''

FLOOR_PROCESS = '''
from oslo_config import cfg
import sqlalchemy
from webdemo import conf
config = cfg.ConfigOpts()
conf.load(config, [])
engine = sqlalchemy.create_engine(config.database.connection)
with engine.connect() as connection:
    connection.exec_driver_sql('SELECT version_num FROM alembic_version').all()
'''

WALK = '''
import sys, time, sqlalchemy
from webdemo.tests.functional import history_fixtures
walker = history_fixtures.Walker(sqlalchemy.create_engine(sys.argv[1]))
revisions = history_fixtures.walk_order(walker.scripts)
started = time.perf_counter()
for script in revisions:
    walker.up(script)
for script in reversed(revisions):
    walker.down(script)
print((time.perf_counter() - started) / (2 * len(revisions)))
'''


# A full sync in process under tracemalloc: what it still holds once it
# is done (after a collection), the most it held, and how much of what it
# holds is in blocks of LARGE_BLOCK bytes or more, in bytes, and how many
# there are. Such a block is, at these lengths, the interpreter's table of
# interned strings (db_benchmark.py refuses more than one): a
# dict that doubles once (0.92 to 1.83 MiB) when enough strings have come
# and gone, and keeps its size: each revision's module interns its names
# while it loads. A step, not a cost of each revision; up to a few
# thousand revisions no structure of a history is that large. Reported
# apart.
LARGE_BLOCK = 256 * 1024
MEMORY = f'''
import gc, tracemalloc
tracemalloc.start()
from webdemo.cmd import manage
code = manage.main(['db', 'sync', '--no-checkpoint'])
gc.collect()
current, peak = tracemalloc.get_traced_memory()
large = [trace.size for trace in tracemalloc.take_snapshot().traces
         if trace.size >= {LARGE_BLOCK}]
print(current, peak, sum(large), len(large), code)
'''
