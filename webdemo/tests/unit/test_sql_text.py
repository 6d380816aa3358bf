"""sql_text.py: what each decision reads from a statement's text."""

from oslotest import base

from webdemo.db import sql_text


class TestCommitsBefore(base.BaseTestCase):

    def test_which_statements_mysql_commits_before(self):
        for statement in ('CREATE TABLE t (id INTEGER)', 'DROP TABLE t',
                          '\nALTER TABLE t ADD COLUMN c INTEGER',
                          'alter online table t add column c int',
                          'CREATE UNIQUE INDEX ix ON t (c)',
                          'DROP INDEX ix ON t', 'RENAME TABLE t TO u',
                          'CREATE OR REPLACE VIEW v AS SELECT 1',
                          'TRUNCATE TABLE t'):
            self.assertTrue(sql_text.commits_before(statement), statement)
        for statement in ('CREATE TEMPORARY TABLE t (id INTEGER)',
                          'create or replace temporary table t (i int)',
                          'DROP TEMPORARY TABLE t', 'DROP PREPARE s',
                          'CREATE /* x */ TEMPORARY TABLE t (i int)',
                          'INSERT INTO t VALUES (1)', 'SELECT 1'):
            self.assertFalse(sql_text.commits_before(statement), statement)


class TestTargetTable(base.BaseTestCase):

    def test_statements_alembic_writes(self):
        for statement, table in (
                ('ALTER TABLE account ADD COLUMN email VARCHAR(255)',
                 'account'),
                ('ALTER TABLE `account` ADD COLUMN x INT', 'account'),
                ('ALTER TABLE ONLY "user" ADD CONSTRAINT c', 'user'),
                ('DROP TABLE IF EXISTS scratch', 'scratch'),
                ('CREATE UNIQUE INDEX ix_a ON account (email)', 'account'),
                ('CREATE INDEX CONCURRENTLY ix_b ON ONLY "account" (x)',
                 'account'),
                ('\n  RENAME TABLE a TO b', 'a'),
                ('TRUNCATE TABLE account', 'account')):
            self.assertEqual(table, sql_text.target_table(statement),
                             statement)

    def test_statements_without_one(self):
        for statement in (None, '', 'SELECT 1', 'CREATE TABLE t (x INT)',
                          'UPDATE alembic_version SET version_num = 1'):
            self.assertIsNone(sql_text.target_table(statement))


class TestTablesOf(base.BaseTestCase):

    def test_statements_as_alembic_writes_them(self):
        for statement, expected in (
                ('\nCREATE TABLE widget (\n\tid SERIAL NOT NULL, \n\t'
                 'owner_id INTEGER, \n\tPRIMARY KEY (id), \n\tFOREIGN '
                 'KEY(owner_id) REFERENCES account (id)\n)\n\n',
                 ('widget', {'account'})),
                # Maybe there already: used, not made.
                ('CREATE TABLE IF NOT EXISTS "Odd" (id INTEGER)',
                 (None, {'Odd'})),
                ('CREATE UNIQUE INDEX ix_w_name ON widget (name)',
                 (None, {'widget'})),
                ('CREATE INDEX CONCURRENTLY ix ON ONLY public.widget (x)',
                 (None, {'public.widget'})),
                ('ALTER TABLE Widget ADD COLUMN x INTEGER',
                 (None, {'widget'})),
                ('ALTER TABLE widget ADD CONSTRAINT fk FOREIGN KEY(a) '
                 'REFERENCES "account" (id)', (None, {'widget', 'account'})),
                ('INSERT INTO widget (id) VALUES (%(id)s)',
                 (None, {'widget'})),
                ("COMMENT ON TABLE widget IS 'w'", (None, {'widget'})),
                ("COMMENT ON COLUMN widget.name IS 'n'", (None, {'widget'})),
                ("CREATE TYPE colour AS ENUM ('red')", (None, set())),
                ('UPDATE widget SET x = 1', (None, {'widget'})),
                ('UPDATE ONLY widget SET x = 1 WHERE id = 2',
                 (None, {'widget'})),
                ('DELETE FROM widget WHERE id = 2', (None, {'widget'})),
                # Reading another table as well: not recognised.
                ('UPDATE widget SET x = (SELECT max(id) FROM account)',
                 (None, None)),
                ('UPDATE widget SET x = a.x FROM account a', (None, None)),
                ('DELETE FROM widget USING account', (None, None)),
                ('INSERT INTO widget (id) SELECT id FROM account',
                 (None, None)),
                ('DROP INDEX ix_widget_x', (None, None)),
                # Made from, or linked to, another table: not recognised.
                ('CREATE TABLE p PARTITION OF account FOR VALUES IN (1)',
                 (None, None)),
                ('CREATE TABLE c (x INTEGER) INHERITS (account)',
                 (None, None)),
                ('CREATE TABLE c AS SELECT * FROM account', (None, None)),
                ('CREATE TABLE c (LIKE account)', (None, None)),
                ('ALTER TABLE w ATTACH PARTITION account FOR VALUES IN (1)',
                 (None, None)),
                ('ALTER TABLE w INHERIT account', (None, None)),
                ('ALTER TABLE w RENAME TO account', (None, None)),
                ('ALTER TABLE w SET SCHEMA other', (None, None)),
                ('CREATE SEQUENCE s OWNED BY account.id', (None, None)),
                ('INSERT INTO w TABLE account', (None, None)),
                ('INSERT INTO w (x) VALUES (reads_account())', (None, None)),
                ('UPDATE w SET x = (TABLE account LIMIT 1)', (None, None)),
                ('UPDATE w SET x = reads_account()', (None, None)),
                # A name that runs on in a character not read here.
                ('CREATE TABLE t\u00ebst (id INTEGER)', (None, None)),
                ('CREATE TABLE "a""b" (id INTEGER)', (None, None)),
                ('CREATE TABLE w (a_id INTEGER REFERENCES t\u00ebst)',
                 (None, None)),
                # Renaming a column is the table's own business.
                ('ALTER TABLE IF EXISTS w RENAME COLUMN x TO y',
                 (None, {'w'})),
                ('INSERT INTO w (id, name) VALUES (%(id__0)s, %(name__0)s), '
                 "(%(id__1)s, 'b')", (None, {'w'})),
                ('DROP TABLE widget', (None, None)),
                ('SELECT 1', (None, None))):
            self.assertEqual(expected, sql_text.tables_of(statement),
                             statement)


class TestInPlace(base.BaseTestCase):

    def test_alter_table_may_not_copy(self):
        self.assertEqual(
            'ALTER TABLE user ADD COLUMN c INT, ALGORITHM=INPLACE, LOCK=NONE',
            sql_text.in_place('ALTER TABLE user ADD COLUMN c INT'))
        self.assertEqual(
            'ALTER TABLE `user` MODIFY c INT NOT NULL, ALGORITHM=INPLACE, '
            'LOCK=NONE',
            sql_text.in_place('ALTER TABLE `user` MODIFY c INT NOT NULL;\n'))

    def test_create_index_may_not_copy(self):
        for index in ('INDEX', 'UNIQUE INDEX'):
            self.assertEqual(
                f'CREATE {index} ix ON t (c) ALGORITHM=INPLACE LOCK=NONE',
                sql_text.in_place(f'CREATE {index} ix ON t (c)'))

    def test_left_as_written(self):
        for statement in (
                # The revision says what it may do.
                'ALTER TABLE t MODIFY c BIGINT, ALGORITHM=COPY',
                'ALTER TABLE t ADD COLUMN c INT, LOCK = SHARED',
                # Neither clause is accepted (MariaDB), or needed.
                'DROP INDEX ix ON t',
                # A rename takes a moment's exclusive lock.
                'ALTER TABLE t RENAME TO t2',
                'CREATE TABLE t (id INT PRIMARY KEY)',
                'DROP TABLE t',
                'RENAME TABLE t TO t2',
                'INSERT INTO t (id) VALUES (1)',
                "UPDATE alembic_version SET version_num='x'",
                'SELECT 1'):
            self.assertEqual(statement, sql_text.in_place(statement))

    def test_a_column_rename_may_not_copy(self):
        self.assertTrue(sql_text.in_place(
            'ALTER TABLE t RENAME COLUMN a TO b').endswith(
                'ALGORITHM=INPLACE, LOCK=NONE'))


class TestScripts(base.BaseTestCase):

    def test_statements_of_a_script_as_alembic_writes_it(self):
        script = ('-- Running upgrade a -> b\n\n'
                  'CREATE TABLE t (\n    id INTEGER, \n    c TEXT\n);\n\n'
                  "UPDATE t SET c = 'x;y';\n\n"
                  '-- a note\nDROP TABLE u;\n')
        self.assertEqual(['CREATE TABLE t (\n    id INTEGER, \n    c TEXT\n)',
                          "UPDATE t SET c = 'x;y'", 'DROP TABLE u'],
                         sql_text.statements_of(script))

    def test_names_on_table(self):
        self.assertEqual(('user', frozenset({'ALTER', 'TABLE', 'user',
                                             'DROP', 'COLUMN', 'name'}),
                          False),
                         sql_text.names_on_table(
                             'ALTER TABLE `user` DROP COLUMN name'))
        self.assertEqual('user', sql_text.names_on_table(
            'CREATE TABLE _alembic_tmp_user (id INTEGER)')[0])
        self.assertTrue(sql_text.names_on_table(
            'CREATE TABLE _alembic_tmp_user (id INTEGER)')[2])
        self.assertIsNone(sql_text.names_on_table('SELECT 1'))
