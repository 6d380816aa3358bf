"""squawk, a PostgreSQL migration linter from PyPI, over the SQL every
expand and contract revision really sends PostgreSQL.

Each revision is run up on a real PostgreSQL (as test_ddl_rules runs
them), its statements recorded and handed to squawk after what
webdemo's runner sets on the connection before every plan (the lock
wait bound). Each warning must be fixed, or declared in the revision
with its reason::

    squawk_exceptions = {'<rule>': '<why it is safe here>'}

A few rules concern how webdemo writes and runs every revision, not one
revision: they are declared once, below, with their reasons. The test
prints the declared warnings, so that a reviewer reads them.
"""

import json
import os
import subprocess
import sys

import fixtures
import sqlalchemy

from webdemo.db.backends import postgresql
from webdemo.db.execution import lock_wait
from webdemo.tests.functional import db_fixtures
from webdemo.tests.functional import history_fixtures

SQUAWK = os.path.join(os.path.dirname(sys.executable), 'squawk')

# Rules about webdemo's way, for every revision alike.
PROJECT_EXCEPTIONS = {
    'prefer-text-field':
        "the models' strings are VARCHAR(N) on every backend: N is the "
        "API's own limit, and MySQL indexes need a length; widening one "
        'later is a catalog change on PostgreSQL, and a contract-time '
        'decision',
    'require-statement-timeout':
        'no statement_timeout on purpose: it would cancel an index built '
        'CONCURRENTLY or a constraint validated on a big table half-way; '
        "webdemo bounds the wait for a table's lock instead (lock_timeout, "
        '[database] ddl_lock_timeout, set by the runner before each plan), '
        'which is what blocks the service',
    'prefer-robust-stmts':
        'a revision is run again only through the journal, which replays '
        'it from its first statement after its transaction was rolled '
        'back; what runs outside a transaction looks first (online_ddl '
        'finds its check constraint and invalid index before adding them, '
        '828dea7d5e92 its index) or uses IF [NOT] EXISTS: a plain CREATE '
        'is never met twice',
}


def squawk(statements, directory, name):
    """squawk's warnings for statements run in order: [(rule, message)]."""
    path = os.path.join(directory, f'{name}.sql')
    with open(path, 'w') as sql:
        sql.write(''.join(f'{statement.strip().rstrip(";")};\n'
                          for statement in statements))
    found = subprocess.run([SQUAWK, '--reporter', 'json', path],
                           capture_output=True, text=True, check=False)
    if found.returncode not in (0, 1) or not found.stdout.strip():
        raise AssertionError(f'squawk failed: {found.stderr}')
    return [(warning['rule_name'], warning['message'])
            for warning in json.loads(found.stdout)]


class TestSquawkPostgreSQL(db_fixtures.PostgreSQLMixin,
                           db_fixtures.DatabaseTestCase):

    def setUp(self):
        super().setUp()
        if not os.path.exists(SQUAWK):
            message = (f'squawk is not installed beside {sys.executable}: '
                       'pip install squawk-cli (test-requirements.txt)')
            if db_fixtures.backends_required():
                self.fail(message)
            self.skipTest(message)
        self.directory = self.useFixture(fixtures.TempDir()).path

    def test_every_branch_revision_passes_squawk_or_says_why(self):
        settings = [statement.format(seconds=lock_wait.Settings().timeout)
                    for statement in
                    postgresql.PostgreSQL.lock_wait_limits[:1]]
        broken, allowed = [], []
        for revision, declared, warnings in self._lint(settings):
            for rule, message in warnings:
                reason = declared.get(rule) or PROJECT_EXCEPTIONS.get(rule)
                line = f'{revision} {rule}: {reason or message}'
                (allowed if reason else broken).append(line)
        for line in sorted(set(allowed)):
            print(f'declared: {line}')
        self.assertEqual([], broken, (
            'squawk warns about revisions: fix each, or declare it with '
            "its reason in the revision: squawk_exceptions = {'<rule>': "
            "'<why it is safe>'}"))

    def test_an_undeclared_warning_is_found(self):
        warnings = squawk(['ALTER TABLE account ADD COLUMN n INTEGER '
                           'NOT NULL'], self.directory, 'bad')
        self.assertIn('adding-required-field',
                      [rule for rule, _ in warnings])

    def _lint(self, settings):
        """(revision, its squawk_exceptions, warnings) per branch revision."""
        ran = []
        sqlalchemy.event.listen(
            self.engine, 'before_cursor_execute',
            lambda conn, cursor, statement, *rest: ran.append(statement))
        walker = history_fixtures.Walker(self.engine)
        for script in history_fixtures.walk_order(walker.scripts):
            ran.clear()
            walker.up(script)
            if history_fixtures.phase_of(script) is None:
                continue
            declared = getattr(script.module, 'squawk_exceptions', {})
            yield (script.revision, declared,
                   squawk(settings + _ddl(ran), self.directory,
                          script.revision))


def _ddl(statements):
    """What the revision itself sent: its reads of the catalog left out."""
    return [statement for statement in statements
            if not statement.lstrip().upper().startswith(('SELECT', 'SHOW'))]
