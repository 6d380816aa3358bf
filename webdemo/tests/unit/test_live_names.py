"""live_names.find_unique: a unique constraint or index by its columns,
over what each backend's reflection returns (no database)."""

import fixtures
from oslotest import base

from webdemo.db.sqlalchemy import live_names
from webdemo.db.sqlalchemy.live_names import Unique

# What SQLAlchemy's Inspector returned for sqlalchemy-migrate's user
# table (name VARCHAR(64) NOT NULL UNIQUE) on each backend, trimmed.
MARIADB = ([{'name': 'name', 'column_names': ['name'],
             'duplicates_index': 'name'}],
           [{'name': 'name', 'column_names': ['name'], 'unique': True,
             'duplicates_constraint': 'name'}])
POSTGRESQL = ([{'name': 'user_name_key', 'column_names': ['name']}],
              [{'name': 'user_name_key', 'column_names': ['name'],
                'unique': True, 'duplicates_constraint': 'user_name_key'}])
SQLITE = ([{'name': None, 'column_names': ['name']}], [])


class _Batch:
    """Records the drops a batch_alter_table is asked for."""

    def __init__(self):
        self.drops = []

    def drop_constraint(self, name, type_):
        self.drops.append(('constraint', name))

    def drop_index(self, name):
        self.drops.append(('index', name))


class TestFindUnique(base.BaseTestCase):

    def find(self, found, columns=('name',)):
        return live_names.find_unique(*found, 'user', columns)

    def test_the_backends_own_names(self):
        self.assertEqual(Unique('name'), self.find(MARIADB))
        self.assertEqual(Unique('user_name_key'), self.find(POSTGRESQL))

    def test_unnamed_takes_the_name_batch_mode_gives_it(self):
        self.assertEqual(Unique('uq_user_name'), self.find(SQLITE))

    def test_a_unique_index_that_is_no_constraint(self):
        found = ([], [{'name': 'ix_user_name', 'column_names': ['name'],
                       'unique': True}])
        self.assertEqual(Unique('ix_user_name', is_index=True),
                         self.find(found))

    def test_only_exactly_those_columns(self):
        wider = ([{'name': 'uq_two', 'column_names': ['name', 'email']}],
                 [{'name': 'ix_name', 'column_names': ['name'],
                   'unique': False}])
        self.assertIsNone(self.find(wider))
        self.assertEqual(Unique('uq_two'), self.find(wider,
                                                     ('name', 'email')))
        self.assertIsNone(self.find(wider, ('email', 'name')))

    def test_gone_already(self):
        self.assertIsNone(self.find(([], [])))

    def test_exactly_one_drop_whatever_is_found(self):
        # A MySQL replay counts a revision's statements by position.
        for found, expected in (
                (None, ('constraint', 'uq_user_name')),
                (Unique('name'), ('constraint', 'name')),
                (Unique('ix_user_name', is_index=True),
                 ('index', 'ix_user_name'))):
            self.useFixture(fixtures.MonkeyPatch(
                'webdemo.db.sqlalchemy.live_names.unique_over',
                lambda table, columns, found=found: found))
            batch = _Batch()
            live_names.drop_unique(batch, 'user', ['name'])
            self.assertEqual([expected], batch.drops)

    def test_conventional_name(self):
        self.assertEqual('uq_user_user_id_email',
                         live_names.conventional_unique_name(
                             'user', ['user_id', 'email']))
