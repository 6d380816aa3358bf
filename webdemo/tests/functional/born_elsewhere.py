"""Databases that webdemo's history did not create, and their walk to head.

The migration walk (test_migrations.py) meets only the names the history
chose. A deployment's database may have others:

- a sqlalchemy-migrate database (webdemo/db/state/legacy.py), created by that
  tool from columns with ``unique=True`` and ``primary_key=True``, whose
  names the backend chose (MariaDB ``name`` and ``PRIMARY``, PostgreSQL
  ``user_name_key`` and ``user_pkey``, SQLite none);
- a database at some revision whose every constraint was named by the
  backend (made by hand, restored from a dump of another tool, ...),
  stamped at that revision.

BornElsewhereWalk builds each, with rows, then runs ``db sync`` through
expand, the data migration and contract, and checks the rows arrived.
It runs on SQLite, MariaDB, PostgreSQL (test_born_elsewhere.py) and the
Galera cluster (webdemo/tests/galera/test_born_elsewhere.py).
"""

import sqlalchemy
from sqlalchemy import Column
from sqlalchemy import Integer
from sqlalchemy import String
from sqlalchemy import Text
from sqlalchemy import Unicode

from testtools.content import text_content

from webdemo.db import bookkeeping
from webdemo.db.history import scripts
from webdemo.db.state import legacy
from webdemo.tests.functional import history_fixtures
from webdemo.tests.functional import manage_runner as runner

_MYSQL = {'mysql_engine': 'InnoDB', 'mysql_charset': 'utf8mb4'}
USERS = [{'id': 1, 'user_id': 'u-1', 'name': 'alice', 'email': 'a@example'},
         {'id': 2, 'user_id': 'u-2', 'name': 'bob', 'email': None}]
ACCOUNTS = [{'id': 1, 'name': 'main', 'description': 'Caf\u00e9 \u6771\u4eac'},
            {'id': 2, 'name': 'spare', 'description': None}]


def legacy_metadata(version):
    """The tables sqlalchemy-migrate made up to version, names unset.

    No naming convention: every constraint's name is the backend's.
    """
    metadata = sqlalchemy.MetaData()
    sqlalchemy.Table(
        'user', metadata,
        Column('id', Integer, primary_key=True),
        Column('user_id', String(255), nullable=False),
        Column('name', String(64), nullable=False, unique=True),
        Column('email', String(255)), **_MYSQL)
    if version >= 2:
        sqlalchemy.Table(
            'account', metadata,
            Column('id', Integer, primary_key=True),
            Column('name', String(50), nullable=False),
            Column('description', Unicode(200)), **_MYSQL)
    sqlalchemy.Table(
        legacy.TABLE, metadata,
        Column('repository_id', String(250), primary_key=True),
        Column('repository_path', Text),
        Column('version', Integer), **_MYSQL)
    return metadata


def put_legacy(engine, version):
    """A sqlalchemy-migrate database at version, with rows."""
    metadata = legacy_metadata(version)
    with engine.begin() as connection:
        metadata.create_all(connection)
        connection.execute(metadata.tables[legacy.TABLE].insert(), [{
            'repository_id': 'webdemo',
            'repository_path': '/usr/lib/webdemo/migrate_repo',
            'version': version}])
        connection.execute(metadata.tables['user'].insert(), USERS)
        if version >= 2:
            connection.execute(metadata.tables['account'].insert(), ACCOUNTS)


def _unnamed(inspector, name, metadata):
    """Table name as inspector read it, with backend-named constraints.

    Indexes keep their names (CREATE INDEX needs one). On MySQL a unique
    index reads as a unique constraint too: the naming convention's
    prefix says which the history made.
    """
    columns = [Column(column['name'], column['type'],
                      nullable=column['nullable'],
                      autoincrement=column.get('autoincrement', 'auto'))
               for column in inspector.get_columns(name)]
    primary = inspector.get_pk_constraint(name)['constrained_columns']
    uniques = [sqlalchemy.UniqueConstraint(*unique['column_names'])
               for unique in inspector.get_unique_constraints(name)
               if not unique['name'].startswith('ix_')]
    indexes = [sqlalchemy.Index(index['name'], *index['column_names'],
                                unique=index['unique'])
               for index in inspector.get_indexes(name)
               if index['name'].startswith('ix_')]
    return sqlalchemy.Table(name, metadata, *columns,
                            sqlalchemy.PrimaryKeyConstraint(*primary),
                            *uniques, *indexes, **_MYSQL)


def rebuild_unnamed(engine):
    """Recreate the database's tables with backend-named constraints.

    The bookkeeping tables go: the copy is stamped afterwards, as an
    operator stamps a schema made elsewhere.
    """
    metadata = sqlalchemy.MetaData()
    with engine.begin() as connection:
        inspector = sqlalchemy.inspect(connection)
        names = [name for name in inspector.get_table_names()
                 if name not in bookkeeping.NOT_MODELLED]
        for name in names:
            _unnamed(inspector, name, metadata)
    runner.drop_all_tables(engine)
    with engine.begin() as connection:
        metadata.create_all(connection)
    return metadata


def fill(engine, metadata):
    """Two rows in each table, a value in every column but username.

    user.username is left NULL, as the previous release writes its rows,
    so that the data migration has work to do.

    :returns: {table: rows inserted}
    """
    inserted = {}
    with engine.begin() as connection:
        for table in metadata.sorted_tables:
            rows = [{column.name: _value(table.name, column, number)
                     for column in table.columns
                     if not (table.name == 'user' and
                             column.name == 'username')}
                    for number in (1, 2)]
            connection.execute(table.insert(), rows)
            inserted[table.name] = rows
    return inserted


def _value(table, column, number):
    if column.name == 'id' or column.type.python_type is int:
        return number
    return f'{table[:2]}-{column.name[:8]}-{number}'


def rows_at_head(engine, table):
    """table's rows, by id, as dicts."""
    with engine.connect() as connection:
        found = connection.execute(sqlalchemy.text(
            f'SELECT * FROM {engine.dialect.identifier_preparer.quote(table)}'
        )).mappings().all()
    return {row['id']: dict(row) for row in found}


class BornElsewhereWalk(runner.ManageTestMixin):
    """db sync takes databases the history did not create to head.

    The concrete class sets self.url and self.engine on an empty
    database.
    """

    def assertAtHead(self, inserted):
        """At head, db check clean; each row kept, username from name."""
        self.assertEqual(0, self.manage('db', 'version', '--check')
                         .returncode)
        check = self.manage('db', 'check')
        self.assertEqual(0, check.returncode, check.stdout + check.stderr)
        for table, rows in inserted.items():
            found = rows_at_head(self.engine, table)
            self.assertEqual(sorted(row['id'] for row in rows), sorted(found))
            for row in rows:
                expected = dict(row)
                if table == 'user':
                    expected['username'] = expected.pop('name')
                self.assertEqual(expected, {name: found[row['id']][name]
                                            for name in expected})

    def _sync_to_head(self):
        # Their rows predate projects: the default project gets them.
        result = self.manage('db', 'sync',
                             OS_API__DEFAULT_PROJECT_ID='born-elsewhere')
        self.assertEqual(0, result.returncode, result.stdout + result.stderr)
        return result.stdout

    def test_legacy_version_2_reaches_head(self):
        put_legacy(self.engine, 2)
        out = self._sync_to_head()
        self.assertIn('Adopted the sqlalchemy-migrate database at version 2',
                      out)
        self.assertIn('Online data migration user_username: moved 2 rows',
                      out)
        self.assertAtHead({'user': USERS, 'account': ACCOUNTS})

    def test_legacy_version_1_reaches_head(self):
        put_legacy(self.engine, 1)
        self.assertIn('at version 1', self._sync_to_head())
        self.assertAtHead({'user': USERS})

    def test_backend_named_constraints_at_every_revision(self):
        # Every revision up to the expand head; a contract revision is
        # reached from there by this history alone (sqlalchemy-migrate's
        # databases predate the split).
        contract = scripts.Scripts.load().sides.contract
        for script in history_fixtures.walk_order():
            if not script.is_head and script.revision not in contract:
                self.addDetail('stamped at', text_content(script.revision))
                runner.drop_all_tables(self.engine)
                self.assertOk(self.manage('db', 'sync', script.revision))
                inserted = fill(self.engine, rebuild_unnamed(self.engine))
                self.assertOk(self.manage('db', 'stamp', script.revision))
                self._sync_to_head()
                self.assertAtHead(inserted)
