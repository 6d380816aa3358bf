"""The checkpoint file's text, from snapshots made in memory."""

from oslotest import base
import sqlalchemy as sa

from webdemo.db.history import checkpoint_file
from webdemo.db.history import checkpoints
from webdemo.db.state import snapshot


def _table(name, *columns, keys=(), rows=()):
    return snapshot.Table(
        name, tuple(snapshot.Column(column, sa.VARCHAR(64), False)
                    for column in ('id',) + columns),
        (f'pk_{name}', ('id',)), foreign_keys=keys, rows=rows)


def _key(table, referred):
    return (f'fk_{table}_{referred}', ('ref',), referred, ('id',), ())


class TestRender(base.BaseTestCase):

    def test_a_table_comes_after_the_tables_it_refers_to(self):
        tables = {'a': _table('a', 'ref', keys=(_key('a', 'c'),)),
                  'b': _table('b'),
                  'c': _table('c', 'ref', keys=(_key('c', 'b'),))}
        self.assertEqual(['b', 'c', 'a'], [
            table.name for table in checkpoint_file.ordered(tables)])

    def test_a_cycle_of_foreign_keys_is_refused(self):
        tables = {'a': _table('a', 'ref', keys=(_key('a', 'b'),)),
                  'b': _table('b', 'ref', keys=(_key('b', 'a'),))}
        self.assertRaises(ValueError, checkpoint_file.ordered, tables)

    def test_every_line_fits_or_says_why_not(self):
        long_name = 'n' * 70
        text = checkpoint_file.render(
            snapshot.Snapshot({'t': _table('t', long_name,
                                           rows=(('1', 'x' * 90),))}),
            ('c',), (checkpoints.Covered('c', (), (), (), 'title', 's'),))
        for line in text.splitlines():
            self.assertTrue(len(line) <= 79 or line.endswith(
                '# noqa: E501'), line)
        self.assertIn("checkpoint_ops.insert_rows(", text)
        # A text key is no counter to move past the rows.
        self.assertNotIn('counted=', text)
        self.assertIn("heads = ('c',)", text)

    def test_rows_come_after_every_table_and_index(self):
        counted = snapshot.Table(
            'a', (snapshot.Column('id', sa.INTEGER(), False),),
            ('pk_a', ('id',)), indexes=(('ix_a', ('id',), False),),
            rows=((1,),))
        text = checkpoint_file.render(
            snapshot.Snapshot({'a': counted, 'b': _table('b')}), ('c',), ())
        self.assertLess(text.index("op.create_table(\n        'b'"),
                        text.index('checkpoint_ops.insert_rows('))
        self.assertIn("counted=('id',)", text)

    def test_a_collation_another_backend_gives_becomes_a_variant(self):
        plain = snapshot.Snapshot({'t': _table('t', 'name')})
        mysql = snapshot.Snapshot({'t': snapshot.Table(
            't', (snapshot.Column('id', sa.VARCHAR(64), False),
                  snapshot.Column('name', sa.VARCHAR(
                      64, collation='utf8mb4_bin'), False)),
            ('PRIMARY', ('id',)))})
        found = checkpoint_file.variants(plain, {'mysql': mysql,
                                                 'postgresql': plain})
        self.assertEqual([('t', 'name')], list(found))
        text = checkpoint_file.render(plain, ('c',), (), found)
        self.assertIn(".with_variant(\n", text)
        self.assertIn("sa.String(length=64, collation='utf8mb4_bin'),", text)
        self.assertIn("'mysql', 'mariadb'),", text)
