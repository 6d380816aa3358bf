"""Every expand and contract revision keeps its phase's rules, judged on
the SQL each backend really received (webdemo/tests/ddl_rules.py says
which rules, and how a revision declares an exception)."""

import os

from alembic import script as alembic_script
import fixtures
import sqlalchemy

from webdemo.db import backends
from webdemo.db import errors
from webdemo.db.history import scripts
from webdemo.tests import ddl_rules
from webdemo.tests.functional import db_fixtures
from webdemo.tests.functional import history_fixtures


def judge(engine, walker):
    """Walk every revision up; (broken rules, allowed exceptions).

    On MySQL each statement says, as the runner's do, that it may not
    copy its table; one the server refuses breaks the table-copy rule,
    and the walk stops there.
    """
    backends.for_engine(engine).refuse_table_copies(engine)
    ran = []
    sqlalchemy.event.listen(
        engine, 'before_cursor_execute',
        lambda conn, cursor, statement, *rest: ran.append(statement))
    broken, allowed = [], []
    for script in history_fixtures.walk_order(walker.scripts):
        ran.clear()
        refused = _refused_copy(walker, script)
        if refused:
            # The runner would refuse it too, declared or not: a
            # revision that must copy says ALGORITHM=COPY in its SQL.
            broken.append(f'{script.revision} {refused.rule}: '
                          f'{refused.why}: {refused.statement}')
            break
        phase = history_fixtures.phase_of(script)
        if phase is None:
            continue
        declared = getattr(script.module, 'ddl_rule_exceptions', {})
        for violation in ddl_rules.violations(phase, ran,
                                              engine.dialect.name):
            where = f'{script.revision} ({phase}) {violation.rule}'
            if violation.rule in declared:
                allowed.append(f'{where}: {declared[violation.rule]}')
            else:
                broken.append(f'{where}: {violation.why}: '
                              f'{violation.statement}')
    return broken, allowed


def _refused_copy(walker, script):
    """Walk script up: None, or its Violation if only a copy could."""
    try:
        walker.up(script)
    except errors.DATABASE_ERRORS as error:
        if errors.kind_of(error) != errors.Kind.TABLE_COPY:
            raise
        return ddl_rules.refused_copy(errors.statement_of(error),
                                      errors.message(error))
    return None


class PhaseRules:

    def test_every_branch_revision_keeps_its_phase_rules(self):
        broken, allowed = judge(self.engine,
                                history_fixtures.Walker(self.engine))
        for reason in allowed:
            print(f'allowed: {reason}')
        self.assertEqual([], broken, (
            'revisions break the rules of their phase '
            '(doc/source/rolling-upgrades.rst). Move the change to the '
            'other phase, or declare it with its reason in the revision: '
            "ddl_rule_exceptions = {'<rule>': '<why it is safe>'}"))

    def test_raw_sql_is_judged_and_a_declared_exception_allowed(self):
        extra = self.useFixture(fixtures.TempDir()).path
        for name, text in _BAD_REVISIONS.items():
            with open(os.path.join(extra, name), 'w') as revision_file:
                revision_file.write(text)
        config = scripts.alembic_config()
        config.set_main_option('version_locations', ' '.join(
            scripts.version_directories(
                alembic_script.ScriptDirectory.from_config(config)) +
            [extra]))
        walker = history_fixtures.Walker(self.engine, scripts.Scripts.load(
            alembic_script.ScriptDirectory.from_config(config)))
        broken, allowed = judge(self.engine, walker)
        self.assertEqual(1, len(broken), broken)
        self.assertRegex(broken[0], r'^bad00000000e \(expand\) drop: .*'
                                    r'DROP COLUMN description')
        # (The shipped revisions' own declared exceptions aside.)
        self.assertEqual(['bad00000001e (expand) rename: nothing reads '
                          'account.name in this demo'],
                         [line for line in allowed
                          if line.startswith('bad')])


# Two expand revisions that break a rule in raw SQL; the second says why.
_BAD_REVISIONS = {
    'bad00000000e_raw_drop.py': '''"""raw drop"""
from alembic import op

revision = 'bad00000000e'
down_revision = '828dea7d5e92'


def upgrade():
    op.execute('ALTER TABLE account DROP COLUMN description')
''',
    'bad00000001e_declared_rename.py': '''"""declared rename"""
from alembic import op

revision = 'bad00000001e'
down_revision = 'bad00000000e'
ddl_rule_exceptions = {'rename': 'nothing reads account.name in this demo'}


def upgrade():
    op.execute('ALTER TABLE account RENAME COLUMN name TO title')
''',
}


class TestPhaseRulesSQLite(PhaseRules, db_fixtures.SQLiteMixin,
                           db_fixtures.DatabaseTestCase):
    pass


class TestPhaseRulesMySQL(PhaseRules, db_fixtures.MySQLMixin,
                          db_fixtures.DatabaseTestCase):
    pass


class TestPhaseRulesPostgreSQL(PhaseRules, db_fixtures.PostgreSQLMixin,
                               db_fixtures.DatabaseTestCase):
    pass
