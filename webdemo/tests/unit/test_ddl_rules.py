"""The phase rules on SQL text: what each must catch, and let pass."""

from oslotest import base

from webdemo.tests import ddl_rules


def _rules(phase, statements, dialect='postgresql'):
    return [violation.rule for violation in
            ddl_rules.violations(phase, statements, dialect)]


class TestExpandRules(base.BaseTestCase):

    def test_additions_pass(self):
        self.assertEqual([], _rules('expand', [
            'ALTER TABLE "user" ADD COLUMN IF NOT EXISTS username '
            'VARCHAR(64)',
            'CREATE UNIQUE INDEX CONCURRENTLY IF NOT EXISTS ix ON "user" '
            '(username)',
            'ALTER TABLE t ADD COLUMN flag BOOLEAN DEFAULT false NOT NULL',
            'ALTER TABLE t ALTER COLUMN c DROP NOT NULL',
            'CREATE TABLE widget (id INTEGER NOT NULL)',
            "UPDATE alembic_version SET version_num='x'",
            'SELECT 1']))

    def test_each_taking_away_is_caught(self):
        for statement, rule in (
                ('ALTER TABLE user DROP COLUMN name', ddl_rules.DROP),
                ('DROP INDEX ix_user_name', ddl_rules.DROP),
                ('ALTER TABLE user RENAME COLUMN name TO username',
                 ddl_rules.RENAME),
                ('ALTER TABLE user CHANGE name username VARCHAR(64)',
                 ddl_rules.RENAME),
                ('ALTER TABLE t ALTER COLUMN c TYPE VARCHAR(10)',
                 ddl_rules.NARROW),
                ('ALTER TABLE t ALTER COLUMN c SET NOT NULL',
                 ddl_rules.NARROW),
                ('ALTER TABLE t MODIFY c VARCHAR(10) NOT NULL',
                 ddl_rules.NARROW),
                ('ALTER TABLE t ADD COLUMN c INTEGER NOT NULL',
                 ddl_rules.NOT_NULL_WITHOUT_DEFAULT),
                ('CREATE INDEX ix ON t (c)',
                 ddl_rules.INDEX_WITHOUT_CONCURRENTLY),
                ('ALTER TABLE t ADD CONSTRAINT uq UNIQUE (c)',
                 ddl_rules.INDEX_WITHOUT_CONCURRENTLY),
                ('ALTER TABLE t ADD COLUMN c INTEGER UNIQUE',
                 ddl_rules.INDEX_WITHOUT_CONCURRENTLY),
                ('-- tidy up\nALTER TABLE t DROP COLUMN c', ddl_rules.DROP),
                ('/* tidy */ DROP TABLE t', ddl_rules.DROP),
                ('TRUNCATE t', ddl_rules.DROP),
                ('ALTER TABLE t ADD CONSTRAINT fk FOREIGN KEY (a) '
                 'REFERENCES u (id)', ddl_rules.NARROW),
                ('ALTER TABLE t ADD CONSTRAINT ck CHECK (a > 0)',
                 ddl_rules.NARROW),
                ("DO $$ BEGIN EXECUTE 'DROP TABLE t'; END $$",
                 ddl_rules.OPAQUE)):
            self.assertIn(rule, _rules('expand', [statement]), statement)

    def test_a_blocking_index_is_a_postgresql_rule_only(self):
        self.assertEqual([], _rules('expand', ['CREATE INDEX ix ON t (c)'],
                                    'mysql'))

    def test_sqlite_batch_copy_is_one_rebuild(self):
        rebuild = ['CREATE TABLE _alembic_tmp_user (id INTEGER NOT NULL)',
                   'INSERT INTO _alembic_tmp_user (id) SELECT id FROM user',
                   'DROP TABLE user',
                   'ALTER TABLE _alembic_tmp_user RENAME TO user',
                   'CREATE UNIQUE INDEX ix_user_username ON user (username)']
        self.assertEqual([ddl_rules.REBUILD],
                         _rules('expand', rebuild, 'sqlite'))
        self.assertEqual([], _rules('contract', rebuild, 'sqlite'))


class TestContractRules(base.BaseTestCase):

    def test_removals_pass(self):
        self.assertEqual([], _rules('contract', [
            'ALTER TABLE "user" ALTER COLUMN username SET NOT NULL',
            'ALTER TABLE "user" DROP CONSTRAINT uq_user_name',
            'ALTER TABLE user MODIFY username VARCHAR(64) NOT NULL',
            'ALTER TABLE "user" DROP COLUMN name']))

    def test_any_creation_is_caught(self):
        for statement in ('CREATE TABLE widget (id INTEGER)',
                          'CREATE INDEX ix ON t (c)',
                          'ALTER TABLE t ADD COLUMN c INTEGER',
                          'ALTER TABLE t ADD CONSTRAINT uq UNIQUE (c)'):
            self.assertEqual([ddl_rules.CREATE],
                             _rules('contract', [statement]), statement)


class TestTableCopyRules(base.BaseTestCase):

    def test_what_copies_a_table_is_caught_on_mysql_in_both_phases(self):
        for statement in (
                'ALTER TABLE t ADD COLUMN c INT, ALGORITHM=COPY',
                'ALTER TABLE t ADD COLUMN c INT, LOCK=SHARED',
                'ALTER TABLE t ADD CONSTRAINT fk FOREIGN KEY (p) '
                'REFERENCES parent (id)',
                'ALTER TABLE t CONVERT TO CHARACTER SET utf8mb4',
                'CREATE FULLTEXT INDEX ft ON t (c)',
                'ALTER TABLE t DROP PRIMARY KEY'):
            for phase in ('expand', 'contract'):
                self.assertIn(ddl_rules.TABLE_COPY,
                              _rules(phase, [statement], 'mysql'),
                              statement)
            self.assertNotIn(ddl_rules.TABLE_COPY,
                             _rules('expand', [statement], 'postgresql'))

    def test_what_inplace_can_do_passes(self):
        for statement in (
                'ALTER TABLE t ADD COLUMN c INT NULL, ALGORITHM=INPLACE, '
                'LOCK=NONE',
                'CREATE UNIQUE INDEX ix ON t (c) ALGORITHM=INPLACE LOCK=NONE',
                'ALTER TABLE t DROP PRIMARY KEY, ADD PRIMARY KEY (id, c)',
                'CREATE TABLE child (id INT, p INT, FOREIGN KEY (p) '
                'REFERENCES parent (id))'):
            self.assertNotIn(ddl_rules.TABLE_COPY,
                             _rules('expand', [statement], 'mysql'),
                             statement)

    def test_a_refusal_is_the_table_copy_rule(self):
        violation = ddl_rules.refused_copy('ALTER TABLE t MODIFY c BIGINT',
                                           'Cannot change column type')
        self.assertEqual(ddl_rules.TABLE_COPY, violation.rule)
        self.assertIn('Cannot change column type', violation.why)
