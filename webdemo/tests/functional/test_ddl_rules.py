"""Every expand and contract revision keeps its phase's rules, judged on
the SQL each backend really received (webdemo/tests/ddl_rules.py says
which rules, and how a revision declares an exception)."""

import sqlalchemy

from webdemo.db import phases
from webdemo.tests import ddl_rules
from webdemo.tests.functional import db_fixtures
from webdemo.tests.functional import history_fixtures


class PhaseRules:

    def test_every_branch_revision_keeps_its_phase_rules(self):
        walker = history_fixtures.Walker(self.engine)
        ran = []
        sqlalchemy.event.listen(
            self.engine, 'before_cursor_execute',
            lambda conn, cursor, statement, *rest: ran.append(statement))
        broken, allowed = [], []
        for script in history_fixtures.walk_order(walker.scripts):
            ran.clear()
            walker.up(script)
            phase = _phase_of(script)
            if phase is None:
                continue
            declared = getattr(script.module, 'ddl_rule_exceptions', {})
            for violation in ddl_rules.violations(
                    phase, ran, self.engine.dialect.name):
                if violation.rule in declared:
                    allowed.append(f'{script.revision} ({phase}) '
                                   f'{violation.rule}: '
                                   f'{declared[violation.rule]}')
                else:
                    broken.append(f'{script.revision} ({phase}) '
                                  f'{violation.why}: {violation.statement}')
        for reason in allowed:
            print(f'allowed: {reason}')
        self.assertEqual([], broken, (
            'revisions break the rules of their phase '
            '(doc/source/rolling-upgrades.rst). Move the change to the '
            'other phase, or declare it with its reason in the revision: '
            "ddl_rule_exceptions = {'<rule>': '<why it is safe>'}"))


def _phase_of(script):
    for phase in phases.PHASES:
        if phase in script.branch_labels:
            return phase
    return None


class TestPhaseRulesSQLite(PhaseRules, db_fixtures.SQLiteMixin,
                           db_fixtures.DatabaseTestCase):
    pass


class TestPhaseRulesMySQL(PhaseRules, db_fixtures.MySQLMixin,
                          db_fixtures.DatabaseTestCase):
    pass


class TestPhaseRulesPostgreSQL(PhaseRules, db_fixtures.PostgreSQLMixin,
                               db_fixtures.DatabaseTestCase):
    pass
