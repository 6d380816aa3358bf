"""Copy the webdemo package and append N synthetic revisions to it.

Used by tools/db_benchmark.py. Two kinds of history, on the expand
branch:

- create: each revision creates one small table, a replay's best case;
- alter: the first 50 revisions create 50 tables, and every later one
  changes one of them as real histories mostly do: adds a column (some
  with a server default), indexes a column, makes a column NOT NULL,
  renames one, drops one, inserts and updates a row. Every change that
  SQLite cannot make in place goes through batch_alter_table, so the
  history is valid on SQLite, MySQL/MariaDB and PostgreSQL alike.

The copy lives in a temporary directory; the real versions/ directory
is never written.

    python tools/synthetic_history.py N DIRECTORY [create|alter]
"""

import os
import shutil
import sys

REPO = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
VERSIONS = os.path.join('webdemo', 'db', 'sqlalchemy', 'alembic', 'versions')

# Every synthetic revision's file up to its upgrade's body.
_HEADER = '''"""{summary}

Revision ID: {revision}
Revises: {parent}
"""

from alembic import op
import sqlalchemy as sa

revision = '{revision}'
down_revision = '{parent}'
branch_labels = None
depends_on = None


def upgrade():
'''

# What follows the header in a revision of the create kind.
_CREATING = '''    op.create_table(
        'bench_{number}',
        sa.Column('id', sa.Integer(), nullable=False),
        sa.Column('name', sa.String(32), nullable=True),
        sa.PrimaryKeyConstraint('id', name='pk_bench_{number}'),
        mysql_engine='InnoDB', mysql_charset='utf8mb4')


def downgrade():
    op.drop_table('bench_{number}')
'''


def revision_id(number):
    """The id of the number-th synthetic revision (from 1)."""
    return f'be{number:010x}'


def shipped_head(phase='expand'):
    """The head of one branch of the real history (versions/<phase>/).

    It is the revision no other in that directory revises.
    """
    parents, revisions = set(), set()
    directory = os.path.join(REPO, VERSIONS, phase)
    for name in os.listdir(directory):
        if name.endswith('.py'):
            with open(os.path.join(directory, name)) as source:
                text = source.read()
            revisions.add(name.split('_', 1)[0])
            for line in text.splitlines():
                if line.startswith('down_revision'):
                    parents.update(part.strip(" '()") for part in
                                   line.split('=', 1)[1].split(','))
    heads = revisions - parents
    if len(heads) != 1:
        raise SystemExit(f'the shipped {phase} branch has heads '
                         f'{sorted(heads)}')
    return heads.pop()


def shipped_count():
    """How many revisions the real history has, in every directory."""
    return sum(1 for directory, _, names in
               os.walk(os.path.join(REPO, VERSIONS))
               if '__pycache__' not in directory
               for name in names if name.endswith('.py'))


TABLES = 50

# What follows the header in a revision of the alter kind.
_ALTERING = '''{body}


def downgrade():
{down}
'''


class _Table:
    """What the generator knows of one table, to write only valid changes."""

    def __init__(self, number):
        self.name = f'alter_{number}'
        self.plain = []        # nullable columns, no index on them
        self.indexed = []      # columns with an index
        self.defaulted = []    # nullable columns with a server default


def _create(table):
    up = (f"    op.create_table(\n"
          f"        {table.name!r},\n"
          f"        sa.Column('id', sa.Integer(), nullable=False),\n"
          f"        sa.Column('name', sa.String(32), nullable=True),\n"
          f"        sa.PrimaryKeyConstraint('id', name='pk_{table.name}'),\n"
          f"        mysql_engine='InnoDB', mysql_charset='utf8mb4')")
    return 'create a table', up, f'    op.drop_table({table.name!r})'


def _change(table, number):
    """(title, upgrade body, downgrade body) of the number-th revision.

    Each round over the tables moves every table on to its next kind of
    change, so that each table meets every kind, in varying order.
    """
    rounds = number // TABLES
    kind = (rounds + number % TABLES) % 6
    batch = f'    with op.batch_alter_table({table.name!r}) as batch:\n'
    if kind == 1 and table.plain:
        column = table.plain.pop(0)
        table.indexed.append(column)
        index = f'ix_{table.name}_{column}'
        return 'index a column', (
            f"    op.create_index({index!r}, {table.name!r}, [{column!r}])"
        ), f"    op.drop_index({index!r}, table_name={table.name!r})"
    if kind == 2 and table.defaulted:
        column = table.defaulted.pop(0)
        alter = (f"        batch.alter_column({column!r}, nullable={{}}, "
                 "existing_type=sa.String(32), existing_server_default='')")
        return ('make a column NOT NULL', batch + alter.format(False),
                batch + alter.format(True))
    if kind == 3 and table.plain:
        old, new = table.plain.pop(0), f'r{number}'
        table.plain.append(new)
        alter = ("        batch.alter_column({!r}, new_column_name={!r}, "
                 "existing_type=sa.String(32))")
        return ('rename a column', batch + alter.format(old, new),
                batch + alter.format(new, old))
    if kind == 4 and len(table.plain) > 1:
        column = table.plain.pop(0)
        return 'drop a column', batch + (
            f"        batch.drop_column({column!r})"), (
            f"    op.add_column({table.name!r}, sa.Column({column!r}, "
            "sa.String(32), nullable=True))")
    if kind == 5:
        return 'insert and update a row', (
            f"    op.execute(\"INSERT INTO {table.name} (id, name) "
            f"VALUES ({number}, 'row {number}')\")\n"
            f"    op.execute(\"UPDATE {table.name} SET name = 'updated' "
            f"WHERE id = {number}\")"), (
            f"    op.execute('DELETE FROM {table.name} WHERE id = {number}')")
    column = f'c{number}'
    drop = batch + f"        batch.drop_column({column!r})"
    if rounds % 2:
        table.defaulted.append(column)
        return 'add a column with a default', (
            f"    op.add_column({table.name!r}, sa.Column({column!r}, "
            "sa.String(32), server_default='', nullable=True))"), drop
    table.plain.append(column)
    return 'add a column', (
        f"    op.add_column({table.name!r}, sa.Column({column!r}, "
        "sa.String(32), nullable=True))"), drop


def altering(count):
    """(title, upgrade body, downgrade body) of each revision."""
    tables = [_Table(number) for number in range(1, TABLES + 1)]
    for number in range(1, count + 1):
        if number <= TABLES:
            yield _create(tables[number - 1])
        else:
            yield _change(tables[number % TABLES], number)


def build(count, directory, kind='create'):
    """Copy webdemo into directory with count synthetic revisions.

    :param kind: 'create' or 'alter' (the module docstring)
    :returns: the directory to put on PYTHONPATH
    """
    target = os.path.join(directory, 'webdemo')
    shutil.copytree(os.path.join(REPO, 'webdemo'), target,
                    ignore=shutil.ignore_patterns('__pycache__'))
    parent = shipped_head()
    changes = altering(count) if kind == 'alter' else None
    for number in range(1, count + 1):
        revision = revision_id(number)
        path = os.path.join(directory, VERSIONS, 'expand',
                            f'{revision}_synthetic_{number}.py')
        if changes is None:
            summary = f'synthetic {number}'
            rest = _CREATING.format(number=number)
        else:
            title, body, down = next(changes)
            summary = f'synthetic {number}: {title}'
            rest = _ALTERING.format(body=body, down=down)
        with open(path, 'w') as script:
            script.write(_HEADER.format(summary=summary, revision=revision,
                                        parent=parent) + rest)
        parent = revision
    return directory


if __name__ == '__main__':
    print(build(int(sys.argv[1]), sys.argv[2], *sys.argv[3:4]))
