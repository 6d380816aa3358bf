"""The pre-flight decisions over server settings, as read."""

from oslotest import base

from webdemo.db.state import preflight

HEALTHY = {'variables': {'wsrep_osu_method': 'TOI', 'binlog_format': 'ROW',
                         'wsrep_mode': ''},
           'status': {'wsrep_local_state_comment': 'Synced',
                      'wsrep_cluster_status': 'Primary'}}
TABLES = (('account', 'InnoDB', 1), ('user', 'InnoDB', 1))


def settings(galera=True, tables=TABLES, variables=(), status=()):
    return preflight.ServerSettings(
        galera, {**HEALTHY['variables'], **dict(variables)},
        {**HEALTHY['status'], **dict(status)}, tables)


def settings_named(problems):
    return [problem.setting for problem in problems]


class TestProblems(base.BaseTestCase):

    def test_a_healthy_node_has_none(self):
        self.assertEqual([], preflight.problems(settings()))

    def test_no_server_settings_no_problems(self):
        self.assertEqual([], preflight.problems(None))

    def test_node_not_synced(self):
        found = preflight.problems(settings(
            status={'wsrep_local_state_comment': 'Donor/Desynced'}))
        self.assertEqual(['wsrep_local_state_comment'], settings_named(found))
        self.assertIn('Donor/Desynced', str(found[0]))
        self.assertIn('through a synced node', str(found[0]))

    def test_cluster_not_primary(self):
        found = preflight.problems(settings(
            status={'wsrep_cluster_status': 'non-Primary'}))
        self.assertEqual(['wsrep_cluster_status'], settings_named(found))

    def test_rolling_schema_upgrade_method(self):
        found = preflight.problems(settings(
            variables={'wsrep_osu_method': 'RSU'}))
        self.assertEqual(['wsrep_OSU_method'], settings_named(found))
        self.assertIn("SET GLOBAL wsrep_OSU_method = 'TOI'", str(found[0]))

    def test_statement_binlog(self):
        found = preflight.problems(settings(
            variables={'binlog_format': 'MIXED'}))
        self.assertEqual(['binlog_format'], settings_named(found))

    def test_table_without_primary_key_on_galera(self):
        found = preflight.problems(settings(
            tables=(*TABLES, ('scratch', 'InnoDB', 0))))
        self.assertEqual(['the primary key of table scratch'],
                         settings_named(found))
        self.assertIn('ALTER TABLE scratch ADD PRIMARY KEY', str(found[0]))

    def test_wsrep_mode_names_itself_as_the_reason(self):
        found = preflight.problems(settings(
            variables={
                'wsrep_mode': 'STRICT_REPLICATION,REQUIRED_PRIMARY_KEY'},
            tables=(('scratch', 'InnoDB', 0),)))
        self.assertIn('wsrep_mode = STRICT_REPLICATION,REQUIRED_PRIMARY_KEY '
                      'requires one', str(found[0]))

    def test_pxc_strict_mode(self):
        found = preflight.problems(settings(
            galera=False, variables={'pxc_strict_mode': 'ENFORCING'},
            tables=(('scratch', 'InnoDB', 0),)))
        self.assertIn('pxc_strict_mode = ENFORCING', str(found[0]))

    def test_plain_mysql_allows_a_table_without_primary_key(self):
        self.assertEqual([], preflight.problems(settings(
            galera=False, tables=(('scratch', 'InnoDB', 0),))))

    def test_plain_mysql_ignores_the_cluster_settings(self):
        self.assertEqual([], preflight.problems(settings(
            galera=False, variables={'binlog_format': 'STATEMENT'},
            status={'wsrep_cluster_status': 'Disconnected'})))

    def test_a_table_not_innodb_anywhere(self):
        for galera in (True, False):
            found = preflight.problems(settings(
                galera=galera, tables=(('legacy', 'MyISAM', 1),)))
            self.assertEqual(['the engine of table legacy'],
                             settings_named(found))
            self.assertIn('ALTER TABLE legacy ENGINE = InnoDB',
                          str(found[0]))

    def test_every_problem_is_listed(self):
        found = preflight.problems(settings(
            variables={'wsrep_osu_method': 'RSU', 'binlog_format': 'MIXED'},
            tables=(('scratch', 'MyISAM', 0),)))
        self.assertEqual(4, len(found))
