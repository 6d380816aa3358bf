"""Copy the webdemo package and append N synthetic revisions to it.

Used by tools/db_benchmark.py. Each synthetic revision creates one small
table, the way a long real history mostly adds things, on the expand
branch. The copy lives in a temporary directory; the real versions/
directory is never written.

    python tools/synthetic_history.py N DIRECTORY
"""

import os
import shutil
import sys

REPO = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
VERSIONS = os.path.join('webdemo', 'db', 'sqlalchemy', 'alembic', 'versions')

_REVISION = '''"""synthetic {number}

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
    op.create_table(
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


def build(count, directory):
    """Copy webdemo into directory with count synthetic revisions.

    :returns: the directory to put on PYTHONPATH
    """
    target = os.path.join(directory, 'webdemo')
    shutil.copytree(os.path.join(REPO, 'webdemo'), target,
                    ignore=shutil.ignore_patterns('__pycache__'))
    parent = shipped_head()
    for number in range(1, count + 1):
        revision = revision_id(number)
        # Each creates a table: expand revisions.
        path = os.path.join(directory, VERSIONS, 'expand',
                            f'{revision}_synthetic_{number}.py')
        with open(path, 'w') as script:
            script.write(_REVISION.format(number=number, revision=revision,
                                          parent=parent))
        parent = revision
    return directory


if __name__ == '__main__':
    print(build(int(sys.argv[1]), sys.argv[2]))
