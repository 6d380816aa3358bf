"""Bad input, table-driven, through the installed webdemo-manage on
every backend where it applies.

Each row: how to prepare the database, the command, the exit code, and
words its one error line must hold. Every row also checks that there is
exactly one line on stderr, no traceback, no password, and that the
database is exactly as it was before.
"""

from oslotest import base
from sqlalchemy.engine import make_url
import testscenarios

from webdemo.tests.functional import db_fixtures
from webdemo.tests.functional import manage_runner as runner

SECRET = runner.SECRET

_ANY_BACKEND = [
    ('unknown_target_revision', dict(
        args=('db', 'sync', 'nosuchrevision'), code=127,
        words=('nosuchrevision',))),
    ('malformed_target_revision', dict(
        args=('db', 'sync', '7dc0::fac0'), code=127, words=('7dc0::fac0',))),
    ('target_behind_for_relative_upgrade', dict(
        prepare='put_at', prepare_args=('heads',),
        args=('db', 'sync', '+1'), code=127, words=('+1',))),
    ('ambiguous_relative_downgrade_from_merge', dict(
        prepare='put_at', prepare_args=('948ccd040506',),
        args=('db', 'downgrade', '-1'), code=127, words=('Ambiguous',))),
    ('multiple_heads_where_one_is_needed', dict(
        prepare='put_at', prepare_args=('e27bd8cacc69', 'b2237d3cc792'),
        args=('db', 'history', '-r', 'current:'), code=127,
        words=('exactly one revision',))),
    ('malformed_history_range', dict(
        args=('db', 'history', '-r', 'base'), code=127,
        words=('START:END',))),
    ('database_ahead_of_code', dict(
        prepare='put_at_unknown_revision', args=('db', 'sync'), code=3,
        words=(runner.UNKNOWN_REVISION,))),
    ('stamp_over_unknown_revision_without_purge', dict(
        prepare='put_at_unknown_revision', args=('db', 'stamp', 'heads'),
        code=3, words=('--purge',))),
    ('tables_without_version', dict(
        prepare='put_stray_table', args=('db', 'sync'), code=4,
        words=('no version information', 'db stamp'))),
    ('legacy_version_without_mapping', dict(
        prepare='put_legacy', prepare_args=(9,), args=('db', 'sync'),
        code=4, words=('sqlalchemy-migrate version 9',))),
    ('downgrade_that_drops_without_yes', dict(
        prepare='put_at', prepare_args=('heads',),
        args=('db', 'downgrade', 'fac0847f78ff'), code=127,
        words=('column account.email', '--yes'))),
    ('autogenerate_on_a_database_not_at_head', dict(
        args=('db', 'revision', '--expand', '--autogenerate', '-m', 'x'),
        code=2, words=('db sync first',))),
    ('one_head_of_two', dict(
        args=('db', 'sync', 'head'), code=127,
        words=('expand@head or contract@head',))),
    ('two_phases_at_once', dict(
        args=('db', 'sync', '--expand', '--contract'), code=127,
        words=('not allowed with argument',))),
    ('a_phase_and_a_revision', dict(
        args=('db', 'sync', '--contract', '3fd795719d99'), code=127,
        words=('not allowed with argument',))),
    ('contract_before_expand', dict(
        prepare='put_at', prepare_args=('948ccd040506',),
        args=('db', 'sync', '--contract'), code=12,
        words=('expand revisions are pending (828dea7d5e92, dba815cb5924)',
               'db sync --expand first', 'Nothing was changed'))),
    ('unknown_command', dict(args=('db', 'frobnicate'), code=127,
                             words=('frobnicate',))),
    ('unknown_option', dict(args=('db', 'sync', '--bogus'), code=127,
                            words=('--bogus',))),
]

_SERVER_ONLY = [
    ('wrong_credentials', dict(
        url_parts=dict(username='nosuchuser', password=SECRET),
        args=('db', 'sync'), code=1, words=('user and password', '***'))),
    ('database_does_not_exist', dict(
        url_parts=dict(database='webdemo_no_such_db'),
        args=('db', 'version'), code=1,
        words=('webdemo_no_such_db', 'create the database'))),
    ('unreachable_port', dict(
        url_parts=dict(host='127.0.0.1', port=1, password=SECRET),
        args=('db', 'sync'), code=1, words=('cannot connect',))),
    ('user_without_ddl_rights', dict(
        prepare='use_read_only_user', args=('db', 'sync'), code=1,
        words=('grant the user',))),
]


def _password_found_elsewhere(password, scheme):
    """A wrong password whose letters also stand in the message."""
    return ('password_found_elsewhere_in_the_message', dict(
        url_parts=dict(username='nosuchuser', password=password),
        args=('db', 'sync'), code=1,
        words=('user and password', f'{scheme}://nosuchuser:***@')))


class BadInput(testscenarios.WithScenarios, runner.ManageTestMixin):

    prepare = None
    prepare_args = ()
    url_parts = None

    def test_answered_cleanly_and_nothing_changed(self):
        url = self.url
        if self.prepare:
            url = getattr(self, self.prepare)(*self.prepare_args) or url
        if self.url_parts:
            url = make_url(url).set(**self.url_parts).render_as_string(
                hide_password=False)
        before = runner.schema_snapshot(self.engine)
        result = self.manage(*self.args, url=url)
        self.assertFailsCleanly(result, self.code, *self.words)
        self.assertNotIn('Traceback', result.stderr)
        self.assertEqual(before, runner.schema_snapshot(self.engine))


class TestBadInputSQLite(BadInput, db_fixtures.SQLiteFileMixin,
                         base.BaseTestCase):
    scenarios = _ANY_BACKEND


class TestBadInputMySQL(BadInput, db_fixtures.MySQLMixin,
                        db_fixtures.DatabaseTestCase):
    scenarios = _ANY_BACKEND + _SERVER_ONLY + [
        _password_found_elsewhere('p', 'mysql+pymysql')]

    def use_read_only_user(self):
        user = f'wd_ro_{self.engine.url.database}'[:32]
        for host in ('%', 'localhost'):
            self.sql(f"CREATE USER '{user}'@'{host}' IDENTIFIED BY "
                     f"'{SECRET}'",
                     f'GRANT SELECT ON {self.engine.url.database}.* TO '
                     f"'{user}'@'{host}'")
            self.addCleanup(self.sql, f"DROP USER '{user}'@'{host}'")
        return make_url(self.url).set(
            username=user, password=SECRET).render_as_string(
                hide_password=False)


class TestBadInputPostgreSQL(BadInput, db_fixtures.PostgreSQLMixin,
                             db_fixtures.DatabaseTestCase):
    scenarios = _ANY_BACKEND + _SERVER_ONLY + [
        _password_found_elsewhere('postgres', 'postgresql+psycopg2')]

    def use_read_only_user(self):
        # PostgreSQL 15 and later let only a schema's owner create in it.
        user = f'wd_ro_{self.engine.url.database}'
        self.sql(f"CREATE ROLE {user} LOGIN PASSWORD '{SECRET}'",
                 'REVOKE CREATE ON SCHEMA public FROM PUBLIC')
        self.addCleanup(self.sql, f'DROP ROLE {user}')
        return make_url(self.url).set(
            username=user, password=SECRET).render_as_string(
                hide_password=False)
