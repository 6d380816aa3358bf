"""What MySQL's migration statements say they may do (no_copy.stated)."""

from oslotest import base

from webdemo.db.backends import no_copy


class TestStated(base.BaseTestCase):

    def test_alter_table_may_not_copy(self):
        self.assertEqual(
            'ALTER TABLE user ADD COLUMN c INT, ALGORITHM=INPLACE, LOCK=NONE',
            no_copy.stated('ALTER TABLE user ADD COLUMN c INT'))
        self.assertEqual(
            'ALTER TABLE `user` MODIFY c INT NOT NULL, ALGORITHM=INPLACE, '
            'LOCK=NONE',
            no_copy.stated('ALTER TABLE `user` MODIFY c INT NOT NULL;\n'))

    def test_create_index_may_not_copy(self):
        for index in ('INDEX', 'UNIQUE INDEX'):
            self.assertEqual(
                f'CREATE {index} ix ON t (c) ALGORITHM=INPLACE LOCK=NONE',
                no_copy.stated(f'CREATE {index} ix ON t (c)'))

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
            self.assertEqual(statement, no_copy.stated(statement))

    def test_a_column_rename_may_not_copy(self):
        self.assertTrue(no_copy.stated(
            'ALTER TABLE t RENAME COLUMN a TO b').endswith(
                'ALGORITHM=INPLACE, LOCK=NONE'))
