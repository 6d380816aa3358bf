"""Histories of every shape a revision graph can take, written as files.

Shared by the unit tests that compare webdemo's answers about a history
with Alembic's own (test_graph, test_version_rows).
"""

import os

import fixtures

TEMPLATE = '''"""{rev}"""
revision = {rev!r}
down_revision = {down!r}
branch_labels = {labels!r}
depends_on = {depends!r}


def upgrade():
    pass


def downgrade():
    pass
'''


class HistoryShapes:
    """The shapes a history can take, for a test that compares answers.

    Each test writes revision files into self.versions (write()), then
    calls the test class's assert_same_answers().
    """

    def setUp(self):
        super().setUp()
        self.root = self.useFixture(fixtures.TempDir()).path
        self.versions = os.path.join(self.root, 'versions')
        os.mkdir(self.versions)

    def write(self, rev, down, labels=None, depends=None):
        with open(os.path.join(self.versions, f'{rev}_step.py'), 'w') as out:
            out.write(TEMPLATE.format(rev=rev, down=down, labels=labels,
                                      depends=depends))

    def test_a_linear_history(self):
        down = None
        for number in range(30):
            self.write(f'a{number:03d}', down)
            down = f'a{number:03d}'
        self.assert_same_answers()

    def test_labelled_branches_with_dependencies_across(self):
        self.write('base0', None)
        self.write('base1', 'base0')
        self.write('exp0', 'base1', labels='expand')
        self.write('con0', 'base1', labels='contract', depends='exp0')
        for number in range(1, 6):
            self.write(f'exp{number}', f'exp{number - 1}')
            # By id, and by label (the labelled revision).
            depends = f'exp{number}' if number % 2 else 'expand'
            self.write(f'con{number}', f'con{number - 1}', depends=depends)
        self.assert_same_answers()

    def test_a_merge(self):
        self.write('m0', None)
        self.write('left1', 'm0')
        self.write('right1', 'm0')
        self.write('left2', 'left1')
        self.write('merged', ('left2', 'right1'))
        self.write('after', 'merged')
        self.assert_same_answers()
