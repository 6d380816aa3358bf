"""Migration tests: every revision walked up and down with data, on
SQLite, MariaDB/MySQL and PostgreSQL; models compared with migrations;
one base and one head.

To add a revision, add to MigrationWalkChecks:

- ``_pre_upgrade_<rev>(self, connection)`` (optional): seed rows the
  revision must carry over; whatever it returns is passed on as data;
- ``_check_<rev>(self, connection, data)``: assert the schema and data the
  revision promises;
- ``_post_downgrade_<rev>(self, connection, data)``: assert what the
  revision's downgrade() must leave (the schema before it, and the rows it
  must keep).
"""

import ast
import re

from alembic import command as alembic_command
from alembic import migration as alembic_migration
from alembic import util as alembic_util
from oslo_db import exception as db_exc
from oslo_db.sqlalchemy import test_migrations
from oslotest import base
import sqlalchemy
from sqlalchemy import exc as sa_exc
from sqlalchemy import inspect

from webdemo.db import bookkeeping
from webdemo.db.history import scripts
from webdemo.db import migration
from webdemo.db.sqlalchemy import models
from webdemo.tests import data_check_rules
from webdemo.tests.functional import db_fixtures
from webdemo.tests.functional import history_fixtures

USER = 'user'
ACCOUNT = 'account'

# Text that breaks a database that is not set up for full Unicode.
UNICODE_DESCRIPTION = 'Caf\u00e9 \u6771\u4eac \U0001F600'


def _columns(connection, table):
    columns = inspect(connection).get_columns(table)
    return {column['name'] for column in columns}


def _tables(connection):
    return set(inspect(connection).get_table_names())


def _rows(connection, table, *columns):
    query = sqlalchemy.text(
        f'SELECT {", ".join(columns)} FROM {_quoted(connection, table)} '
        'ORDER BY id')
    return [tuple(row) for row in connection.execute(query)]


def _quoted(connection, table):
    return connection.dialect.identifier_preparer.quote(table)


def _current(engine):
    with engine.connect() as connection:
        context = alembic_migration.MigrationContext.configure(connection)
        return set(context.get_current_heads())


# Operations that create a named constraint or index, and that drop one.
_CREATES = {'create_index', 'create_unique_constraint', 'create_foreign_key',
            'create_check_constraint', 'create_primary_key', 'Index'}
_DROPS = {'drop_constraint', 'drop_index'}
_RAW_DROP = re.compile(r'\bDROP\s+(?:INDEX|CONSTRAINT)\s+(?:CONCURRENTLY\s+)?'
                       r'(?:IF\s+EXISTS\s+)?["`]?(\w+)', re.I)


def _literal_drops(source):
    """Names a revision drops by a literal, but its upgrade did not create.

    A name the revision's own upgrade() created is the history's to
    know, for its downgrade or a retry; any other may be the backend's
    choice on a database born elsewhere (live_names.py).
    """
    tree = ast.parse(source)
    upgrade = next(node for node in tree.body
                   if isinstance(node, ast.FunctionDef)
                   and node.name == 'upgrade')
    return _names(tree, _DROPS) - _names(upgrade, _CREATES)


def _names(tree, operations):
    """Literal names given to calls of operations (and in raw drops)."""
    found = set()
    for node in ast.walk(tree):
        if (operations is _DROPS and isinstance(node, ast.Constant)
                and isinstance(node.value, str)):
            found.update(_RAW_DROP.findall(node.value))
        if not isinstance(node, ast.Call):
            continue
        called = getattr(node.func, 'attr', getattr(node.func, 'id', ''))
        if operations is _CREATES:
            found.update(keyword.value.value for keyword in node.keywords
                         if keyword.arg == 'name'
                         and isinstance(keyword.value, ast.Constant))
        if (called in operations and node.args
                and isinstance(node.args[0], ast.Constant)
                and isinstance(node.args[0].value, str)):
            found.add(node.args[0].value)
    return found


def _insert(connection, table, rows):
    connection.execute(sqlalchemy.table(
        table, *(sqlalchemy.column(name) for name in rows[0])).insert(), rows)


class MigrationWalkChecks:
    """Per-revision seeds and checks; the walk itself is below."""

    # 7dc0a5261bc4: create user table

    def _check_7dc0a5261bc4(self, connection, data):
        self.assertEqual({'id', 'user_id', 'name', 'email'},
                         _columns(connection, USER))
        _insert(connection, USER, [
            {'id': 1, 'user_id': 'u-1', 'name': 'alice', 'email': 'a@x'},
            {'id': 2, 'user_id': 'u-2', 'name': 'bob', 'email': None}])
        connection.commit()
        # oslo.db does not translate every backend's duplicate-key error.
        self.assertRaises((db_exc.DBDuplicateEntry, sa_exc.IntegrityError),
                          _insert, connection, USER,
                          [{'id': 3, 'user_id': 'u-3', 'name': 'alice'}])
        connection.rollback()

    def _post_downgrade_7dc0a5261bc4(self, connection, data):
        self.assertNotIn(USER, _tables(connection))

    # fac0847f78ff: create account table

    def _pre_upgrade_fac0847f78ff(self, connection):
        return _rows(connection, USER, 'id', 'user_id', 'name', 'email')

    def _check_fac0847f78ff(self, connection, users):
        self.assertEqual({'id', 'name', 'description'},
                         _columns(connection, ACCOUNT))
        self.assertEqual(users, _rows(connection, USER, 'id', 'user_id',
                                      'name', 'email'))
        _insert(connection, ACCOUNT, [
            {'id': 1, 'name': 'ops', 'description': UNICODE_DESCRIPTION},
            {'id': 2, 'name': 'dev', 'description': None}])
        connection.commit()
        self.assertEqual([(1, 'ops', UNICODE_DESCRIPTION), (2, 'dev', None)],
                         _rows(connection, ACCOUNT, 'id', 'name',
                               'description'))

    def _post_downgrade_fac0847f78ff(self, connection, users):
        self.assertNotIn(ACCOUNT, _tables(connection))
        self.assertEqual(users, _rows(connection, USER, 'id', 'user_id',
                                      'name', 'email'))

    # e27bd8cacc69 and b2237d3cc792, in parallel: each adds a nullable
    # account column and must keep every existing account.

    def _pre_upgrade_e27bd8cacc69(self, connection):
        return _rows(connection, ACCOUNT, 'id', 'name', 'description')

    def _check_e27bd8cacc69(self, connection, accounts):
        self._check_new_account_column(connection, accounts, 'password_hash')

    def _post_downgrade_e27bd8cacc69(self, connection, accounts):
        self._check_account_column_gone(connection, accounts, 'password_hash')

    _pre_upgrade_b2237d3cc792 = _pre_upgrade_e27bd8cacc69

    def _check_b2237d3cc792(self, connection, accounts):
        self._check_new_account_column(connection, accounts, 'email')

    def _post_downgrade_b2237d3cc792(self, connection, accounts):
        self._check_account_column_gone(connection, accounts, 'email')

    def _check_new_account_column(self, connection, accounts, column):
        self.assertIn(column, _columns(connection, ACCOUNT))
        self.assertEqual(accounts, _rows(connection, ACCOUNT, 'id', 'name',
                                         'description'))
        self.assertEqual([(None,)] * len(accounts),
                         _rows(connection, ACCOUNT, column))

    def _check_account_column_gone(self, connection, accounts, column):
        self.assertNotIn(column, _columns(connection, ACCOUNT))
        self.assertEqual(accounts, _rows(connection, ACCOUNT, 'id', 'name',
                                         'description'))

    # 948ccd040506: merge of the two above; no schema change of its own

    def _pre_upgrade_948ccd040506(self, connection):
        connection.execute(sqlalchemy.text(
            'UPDATE account SET email = :email, password_hash = :hash '
            'WHERE id = 1'), {'email': 'ops@x', 'hash': 'pbkdf2_sha256$1$s$h'})
        connection.commit()
        return _rows(connection, ACCOUNT, 'id', 'name', 'description',
                     'email', 'password_hash')

    def _check_948ccd040506(self, connection, accounts):
        self.assertEqual(accounts, _rows(connection, ACCOUNT, 'id', 'name',
                                         'description', 'email',
                                         'password_hash'))

    def _post_downgrade_948ccd040506(self, connection, accounts):
        self._check_948ccd040506(connection, accounts)

    # 828dea7d5e92 (expand): user.username beside user.name, nullable, so
    # that the previous release, writing name only, goes on working.

    def _pre_upgrade_828dea7d5e92(self, connection):
        return _rows(connection, USER, 'id', 'user_id', 'name', 'email')

    def _check_828dea7d5e92(self, connection, users):
        self.assertEqual({'id', 'user_id', 'name', 'username', 'email'},
                         _columns(connection, USER))
        self.assertEqual(users, _rows(connection, USER, 'id', 'user_id',
                                      'name', 'email'))
        self.assertEqual([(None,)] * len(users),
                         _rows(connection, USER, 'username'))
        # The previous release's insert, name only, still works...
        _insert(connection, USER, [{'id': 3, 'user_id': 'u-3',
                                    'name': 'carol'}])
        connection.commit()
        # ...and the new unique index holds for the new column.
        connection.execute(sqlalchemy.text(
            f'UPDATE {_quoted(connection, USER)} SET username = name '
            'WHERE id = 1'))
        connection.commit()
        self.assertRaises((db_exc.DBDuplicateEntry, sa_exc.IntegrityError),
                          _insert, connection, USER, [{
                              'id': 4, 'user_id': 'u-4', 'name': 'dave',
                              'username': 'alice'}])
        connection.rollback()

    def _post_downgrade_828dea7d5e92(self, connection, users):
        self.assertNotIn('username', _columns(connection, USER))
        self.assertEqual(users + [(3, 'u-3', 'carol', None)],
                         _rows(connection, USER, 'id', 'user_id', 'name',
                               'email'))
        # Leave the rows the earlier revisions' checks expect.
        connection.execute(sqlalchemy.text(
            f'DELETE FROM {_quoted(connection, USER)} WHERE id = 3'))
        connection.commit()

    # 3fd795719d99 (contract): user.name dropped, username NOT NULL.

    def _pre_upgrade_3fd795719d99(self, connection):
        # As the online data migration leaves it.
        connection.execute(sqlalchemy.text(
            f'UPDATE {_quoted(connection, USER)} SET username = name'))
        connection.commit()
        return _rows(connection, USER, 'id', 'user_id', 'username', 'email')

    def _check_3fd795719d99(self, connection, users):
        # (project_id is the later expand dba815cb5924's, applied first.)
        self.assertEqual({'id', 'user_id', 'username', 'email'},
                         _columns(connection, USER) - {'project_id'})
        self.assertEqual(users, _rows(connection, USER, 'id', 'user_id',
                                      'username', 'email'))
        self.assertRaises((db_exc.DBError, sa_exc.IntegrityError,
                           sa_exc.OperationalError),
                          _insert, connection, USER, [{
                              'id': 9, 'user_id': 'u-9', 'username': None}])
        connection.rollback()

    def _post_downgrade_3fd795719d99(self, connection, users):
        # name is back, filled from username, for the previous release.
        self.assertEqual([(id_, user_id, username, email, username)
                          for id_, user_id, username, email in users],
                         _rows(connection, USER, 'id', 'user_id', 'username',
                               'email', 'name'))
        self.assertRaises((db_exc.DBDuplicateEntry, sa_exc.IntegrityError),
                          _insert, connection, USER, [{
                              'id': 9, 'user_id': 'u-9', 'name': 'alice'}])
        connection.rollback()

    # dba815cb5924 (expand): project_id on user and account, nullable and
    # indexed, so that the previous release, writing none, goes on.

    def _pre_upgrade_dba815cb5924(self, connection):
        return {table: _rows(connection, table, 'id')
                for table in (USER, ACCOUNT)}

    def _check_dba815cb5924(self, connection, ids):
        indexes = {table: {index['name']: index['column_names'] for index
                           in inspect(connection).get_indexes(table)}
                   for table in (USER, ACCOUNT)}
        for table in (USER, ACCOUNT):
            self.assertIn('project_id', _columns(connection, table))
            self.assertEqual(['project_id'],
                             indexes[table][f'ix_{table}_project_id'])
            self.assertEqual([(id_, None) for (id_,) in ids[table]],
                             _rows(connection, table, 'id', 'project_id'))
        # The previous release's insert, no project, still works.
        _insert(connection, USER, [{'id': 7, 'user_id': 'u-7',
                                    'name': 'grace', 'username': 'grace'}])
        connection.commit()

    def _post_downgrade_dba815cb5924(self, connection, ids):
        for table in (USER, ACCOUNT):
            self.assertNotIn('project_id', _columns(connection, table))
        self.assertEqual(ids[USER] + [(7,)], _rows(connection, USER, 'id'))
        connection.execute(sqlalchemy.text(
            f'DELETE FROM {_quoted(connection, USER)} WHERE id = 7'))
        connection.commit()

    # 1fd0aa0adf0f (contract): project_id NOT NULL.

    def _pre_upgrade_1fd0aa0adf0f(self, connection):
        # As the online data migration project_ids leaves it.
        for table in (USER, ACCOUNT):
            connection.execute(sqlalchemy.text(
                f"UPDATE {_quoted(connection, table)} SET project_id = 'p-1' "
                'WHERE project_id IS NULL'))
        connection.commit()
        return {table: _rows(connection, table, 'id', 'project_id')
                for table in (USER, ACCOUNT)}

    def _check_1fd0aa0adf0f(self, connection, rows):
        for table in (USER, ACCOUNT):
            self.assertEqual(rows[table], _rows(connection, table, 'id',
                                                'project_id'))
        self.assertRaises((db_exc.DBError, sa_exc.IntegrityError,
                           sa_exc.OperationalError),
                          _insert, connection, ACCOUNT, [{
                              'id': 9, 'name': 'no-project'}])
        connection.rollback()

    def _post_downgrade_1fd0aa0adf0f(self, connection, rows):
        for table in (USER, ACCOUNT):
            self.assertEqual(rows[table], _rows(connection, table, 'id',
                                                'project_id'))
        # The previous release's insert, no project, works again.
        _insert(connection, ACCOUNT, [{'id': 9, 'name': 'no-project'}])
        connection.execute(sqlalchemy.text('DELETE FROM account WHERE id = 9'))
        connection.commit()

    # a392e388916b (contract): usernames compared by code point on MySQL
    # too (elsewhere they were already).

    def _names_differing_in_case(self, connection):
        """Insert two names MySQL's default collation folds together."""
        _insert(connection, USER, [
            {'id': 20, 'user_id': 'u-20', 'username': 'Fold',
             'project_id': 'p-1'},
            {'id': 21, 'user_id': 'u-21', 'username': 'fold ',
             'project_id': 'p-1'}])
        connection.commit()
        connection.execute(sqlalchemy.text(
            f'DELETE FROM {_quoted(connection, USER)} WHERE id >= 20'))
        connection.commit()

    def _check_a392e388916b(self, connection, data):
        self._names_differing_in_case(connection)

    def _post_downgrade_a392e388916b(self, connection, data):
        if connection.dialect.name != 'mysql':
            self._names_differing_in_case(connection)
            return
        self.assertRaises((db_exc.DBDuplicateEntry, sa_exc.IntegrityError),
                          self._names_differing_in_case, connection)
        connection.rollback()


class MigrationWalk(MigrationWalkChecks):
    """Walk base -> head -> base -> head, one revision at a time."""

    def _hook(self, kind, revision, required=True):
        hook = getattr(self, f'_{kind}_{revision}', None)
        if hook is None and required:
            self.fail(
                f'revision {revision} has no _{kind}_{revision} method: add '
                'it to MigrationWalkChecks in '
                'webdemo/tests/functional/test_migrations.py (see the '
                'module docstring for what it must check).')
        return hook

    def _walk_up(self, walker, revisions):
        seeds = {}
        for revision in revisions:
            rev = revision.revision
            pre = self._hook('pre_upgrade', rev, required=False)
            with self.engine.connect() as connection:
                seeds[rev] = pre(connection) if pre else None
            walker.up(revision)
            self.assertIn(rev, _current(self.engine))
            with self.engine.connect() as connection:
                self._hook('check', rev)(connection, seeds[rev])
        return seeds

    def _walk_down(self, walker, revisions, seeds, base=None):
        for revision in reversed(revisions):
            rev = revision.revision
            walker.down(revision)
            self.assertNotIn(rev, _current(self.engine))
            with self.engine.connect() as connection:
                self._hook('post_downgrade', rev)(connection, seeds[rev])
        self.assertEqual(set(base.heads if base else ()),
                         _current(self.engine))

    def test_walk_versions(self):
        walker = history_fixtures.Walker(self.engine)
        revisions = history_fixtures.walk_order(walker.scripts)
        # Once a release retires revisions, the walk starts from the
        # checkpoint that stands for them, and walks the rest.
        base = history_fixtures.walk_base(walker.scripts)
        if base is not None:
            walker.build(base)
        seeds = self._walk_up(walker, revisions)
        self._walk_down(walker, revisions, seeds, base)
        self._walk_up(walker, revisions)
        self.assertEqual({revision.revision for revision in revisions}
                         | (base.revisions if base else set()),
                         walker.scripts.applied(_current(self.engine)))


class TestWalkSQLite(MigrationWalk, db_fixtures.SQLiteMixin,
                     db_fixtures.DatabaseTestCase):
    pass


class TestWalkMySQL(MigrationWalk, db_fixtures.MySQLMixin,
                    db_fixtures.DatabaseTestCase):
    pass


class TestWalkPostgreSQL(MigrationWalk, db_fixtures.PostgreSQLMixin,
                         db_fixtures.DatabaseTestCase):
    pass


class EnvAcceptsAnEngine:
    """env.py runs on an Engine handed over as Alembic's cookbook does."""

    def test_upgrade_and_downgrade_on_an_engine(self):
        config = scripts.alembic_config(self.engine)
        alembic_command.upgrade(config, 'heads')
        loaded = scripts.Scripts.load()
        self.assertEqual({revision.revision for revision in loaded.walk()},
                         loaded.applied(_current(self.engine)))
        alembic_command.downgrade(config, 'base')
        self.assertEqual(set(), _current(self.engine))


class TestEnvSQLite(EnvAcceptsAnEngine, db_fixtures.SQLiteMixin,
                    db_fixtures.DatabaseTestCase):
    pass


class TestEnvMySQL(EnvAcceptsAnEngine, db_fixtures.MySQLMixin,
                   db_fixtures.DatabaseTestCase):
    pass


class TestEnvPostgreSQL(EnvAcceptsAnEngine, db_fixtures.PostgreSQLMixin,
                        db_fixtures.DatabaseTestCase):
    pass


class ModelsMatchMigrations(test_migrations.ModelsMigrationsSync):
    """Alembic's compare finds nothing between models and a synced db."""

    def get_engine(self):
        return self.engine

    def get_metadata(self):
        return models.BASE.metadata

    def include_object(self, obj, name, type_, reflected, compare_to):
        # The bookkeeping tables (version, journal, lock) and nothing else.
        return bookkeeping.include_object(obj, name, type_, reflected,
                                          compare_to)

    def db_sync(self, engine):
        migration.sync(engine, report=lambda line: None)


class TestModelsSQLite(ModelsMatchMigrations, db_fixtures.SQLiteMixin,
                       db_fixtures.DatabaseTestCase):
    pass


class TestModelsMySQL(ModelsMatchMigrations, db_fixtures.MySQLMixin,
                      db_fixtures.DatabaseTestCase):
    pass


class TestModelsPostgreSQL(ModelsMatchMigrations,
                           db_fixtures.PostgreSQLMixin,
                           db_fixtures.DatabaseTestCase):
    pass


class TestRevisionHistory(base.BaseTestCase):
    """The history's shape; no database needed."""

    def test_single_base(self):
        bases = scripts.Scripts.load().directory.get_bases()
        self.assertEqual(1, len(bases), (
            f'the migration history has {len(bases)} bases ({bases}): '
            'every revision except the first must set down_revision.'))

    def test_two_labelled_heads(self):
        loaded = scripts.Scripts.load()
        heads = {script.revision: set(script.branch_labels)
                 for script in map(loaded.get, loaded.heads)}
        self.assertEqual(
            [{'contract'}, {'expand'}], sorted(heads.values(), key=sorted),
            f'the history must end in exactly two heads, labelled expand '
            f'and contract; it has {heads}. Two revisions of one phase '
            'share a parent: write revisions with `webdemo-manage db '
            'revision --expand` or `--contract`, which build on that '
            'phase\'s head, or merge the two with `webdemo-manage db merge`.')

    def test_changes_the_data_can_fail_declare_their_checks(self):
        loaded = scripts.Scripts.load()
        missing = []
        for revision in sorted(loaded.graph.entries):
            script = loaded.get(revision)
            with open(script.path) as source:
                missing += data_check_rules.missing(
                    source.read(), getattr(script.module, 'data_checks', ()),
                    revision)
        self.assertEqual([], missing, (
            'a revision sets NOT NULL, or adds a unique index, a foreign '
            'key or a NOT NULL column without a default, without the data '
            'check that lets db sync refuse before it runs: add each '
            'check named'))

    def test_expand_never_needs_contract(self):
        loaded = scripts.Scripts.load()
        for revision in loaded.sides.expand:
            script = loaded.get(revision)
            needs = set(alembic_util.to_tuple(script.down_revision, ()) +
                        alembic_util.to_tuple(script.dependencies, ()))
            self.assertEqual(set(), needs & loaded.sides.contract, (
                f'expand revision {revision} builds on or depends on a '
                'contract revision: expand runs first, with the previous '
                'release still up, so it can need nothing contract does. '
                'Move the change to the contract branch.'))

    def test_no_revision_drops_a_name_it_did_not_choose(self):
        guessed = {}
        for revision in history_fixtures.walk_order():
            with open(revision.path, encoding='utf-8') as source:
                names = _literal_drops(source.read())
            if names:
                guessed[revision.revision] = sorted(names)
        self.assertEqual({}, guessed, (
            'these revisions drop a constraint or index by a name they did '
            'not create, which a database born elsewhere (adopted from '
            'sqlalchemy-migrate, restored from a dump) names otherwise: '
            'find it by what it covers, with '
            'webdemo.db.sqlalchemy.live_names (drop_unique, inside '
            'live_names.batch_alter_table).'))

    # Revisions fixed after their release (replaces_checksums), with the
    # checksum of the file as reviewed: the released checksums a fix
    # accepts must not cover a later edit, so any edit of one fails
    # here until it is reviewed, and this table changed with it.
    REVIEWED_FIXES = {
        '3fd795719d99':
            'bf880ed0bc432d9b4f8912b6af48ec8946c35dd0b24c19bd2d12f03d443aef40',
    }

    def test_fixed_revisions_are_as_reviewed(self):
        graph = scripts.Scripts.load().graph
        fixed = {revision: entry.checksum
                 for revision, entry in graph.entries.items()
                 if entry.facts.replaces}
        self.assertEqual(self.REVIEWED_FIXES, fixed, (
            'a revision that declares replaces_checksums changed, or one '
            'newly declares it: review that the released files it names '
            'leave a database as the file does now, then put its new '
            'sha256 in REVIEWED_FIXES'))

    def test_every_revision_is_checked(self):
        missing = [
            f'_{kind}_{revision.revision}'
            for revision in history_fixtures.walk_order()
            for kind in ('check', 'post_downgrade')
            if not hasattr(MigrationWalkChecks,
                           f'_{kind}_{revision.revision}')]
        self.assertEqual([], missing, (
            'add these methods to MigrationWalkChecks in '
            'webdemo/tests/functional/test_migrations.py (see its '
            f'docstring): {missing}'))
