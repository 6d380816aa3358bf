"""autogenerate.py: what Alembic found, split into expand and contract."""

from alembic.operations import ops
from oslotest import base
import sqlalchemy as sa

from webdemo.db import autogenerate
from webdemo.db.history import phases


def _found():
    return ops.UpgradeOps(ops=[
        ops.CreateTableOp('team', [sa.Column('id', sa.Integer())]),
        ops.ModifyTableOps('user', ops=[
            ops.AddColumnOp('user', sa.Column('nick', sa.String(9))),
            ops.DropColumnOp('user', 'name'),
            ops.AlterColumnOp('user', 'email', modify_nullable=True),
            ops.AlterColumnOp('user', 'user_id', modify_nullable=False),
        ]),
        ops.ModifyTableOps('account', ops=[
            ops.DropIndexOp('ix_account_name', table_name='account')]),
    ])


def _kept(upgrade_ops):
    return [autogenerate.describe(op) for container in upgrade_ops.ops
            for op in getattr(container, 'ops', [container])]


class TestKeepPhase(base.BaseTestCase):

    def test_expand_keeps_additions_and_widening(self):
        found = _found()
        left_out = autogenerate.keep_phase(found, phases.EXPAND)
        self.assertEqual(['CreateTable team', 'AddColumn user.nick',
                          'AlterColumn user.email'], _kept(found))
        self.assertEqual(['DropColumn user.name', 'AlterColumn user.user_id',
                          'DropIndex account.ix_account_name'], left_out)

    def test_contract_keeps_removals_and_narrowing(self):
        found = _found()
        left_out = autogenerate.keep_phase(found, phases.CONTRACT)
        self.assertEqual(['DropColumn user.name', 'AlterColumn user.user_id',
                          'DropIndex account.ix_account_name'], _kept(found))
        self.assertEqual(['CreateTable team', 'AddColumn user.nick',
                          'AlterColumn user.email'], left_out)

    def test_a_type_change_may_narrow_so_it_is_contract(self):
        change = ops.AlterColumnOp('user', 'name', modify_nullable=True,
                                   modify_type=sa.String(10))
        self.assertEqual(phases.CONTRACT, autogenerate.phase_of(change))
