"""Checkpoint: the schema at a392e388916b.

Written by `webdemo-manage db checkpoint` from a replay of the 10
revisions below; do not edit it. `db sync` builds an empty database
from it, then runs the revisions after it
(doc/source/revision-history.rst says when to cut one, and how to
retire the revisions it stands for).
"""

import datetime  # noqa: F401 (rows may hold dates and decimals)
import decimal  # noqa: F401

from alembic import op
import sqlalchemy as sa

from webdemo.db.sqlalchemy import checkpoint_ops  # noqa: F401 (rows)

# The version rows the checkpoint leaves.
heads = ('a392e388916b',)

# The release it was cut at: it still has every revision below, for a
# database older than the revisions a later release keeps.
release = '0.0.1'

# Each revision it stands for, in the order the history applies them:
# (revision, down revisions, branch labels, depends on, title, sha256 of
# its script when the checkpoint was cut).
revisions = (
    ('7dc0a5261bc4', (), (), (),
     'create user table',
     'f75dff3ee9d80e6e819c1e465054f6d68a37353de22aa33ce9a8bef5bebbd46f'),
    ('fac0847f78ff', ('7dc0a5261bc4',), (), (),
     'create account table',
     '8a76b21d739ec6f2a04a0741301ec1d4b44e2f5d64b64621d007fd751ce96b6d'),
    ('e27bd8cacc69', ('fac0847f78ff',), (), (),
     'add account password hash',
     '886edf244ecec8c3a905c4c6fe4ad69cbe40560ce2fc411e26209fb2220bcb78'),
    ('b2237d3cc792', ('fac0847f78ff',), (), (),
     'add account email',
     '104480491abf22411224f955dd1ce43b9436eca3b6868e7c9c34f194e3f176b9'),
    ('948ccd040506', ('b2237d3cc792', 'e27bd8cacc69'), (), (),
     'merge account email and password hash',
     '6863d1d4037276cb5711732b6d338d9dc275a4cf6a7c63e9809ad7872ebfe297'),
    ('828dea7d5e92', ('948ccd040506',), ('expand',), (),
     'add user.username, the new name of user.name',
     '80a180f75738d615b18ec77ff20c8e8b66eb1f1565ba8d730c77302403bcc2c0'),
    ('dba815cb5924', ('828dea7d5e92',), (), (),
     'add project_id to user and account',
     '74e4d486858777bd3565ddd57687c06f3f9c21b565ca5d77ed3446a298011a29'),
    ('3fd795719d99', ('948ccd040506',), ('contract',), ('828dea7d5e92',),
     'drop user.name, now user.username',
     'bf880ed0bc432d9b4f8912b6af48ec8946c35dd0b24c19bd2d12f03d443aef40'),
    ('1fd0aa0adf0f', ('3fd795719d99',), (), ('dba815cb5924',),
     'make project_id not null',
     '218f5dd86e65dc39f7fcc563a1c845ff4d0462381d052e2b2f44da3285f97c74'),
    ('a392e388916b', ('1fd0aa0adf0f',), (), ('dba815cb5924',),
     'compare usernames exactly on MySQL',
     'c5c69f75b802d733b448355cccd36c6e73799dc87b06dc3adb00d7cfbb6304a9'),
)

# The released versions of their scripts some of them declare
# equivalent (replaces_checksums), by revision.
replaced = {
    '3fd795719d99': (
        'aa31bc5a9e26fb98c46447e3aa4baf25c56ef0734f81b8ab3e34ace57dae8301',
        '3d4a692793e861da005ad3186be36141569a9de1a76d92f4347b99ba7bdf7ca2',
        '2e3539b098ad3f85fa0aeba045c8508efd1a38b56da69527cf2cec2b064dd3e1',
    ),
}


def upgrade():
    op.create_table(
        'account',
        sa.Column('id', sa.Integer(), nullable=False),
        sa.Column('name', sa.String(length=50), nullable=False),
        sa.Column('description', sa.String(length=200)),
        sa.Column('password_hash', sa.String(length=255)),
        sa.Column('email', sa.String(length=255)),
        sa.Column('project_id', sa.String(length=255), nullable=False),
        sa.PrimaryKeyConstraint('id', name='pk_account'),
        mysql_engine='InnoDB',
        mysql_charset='utf8mb4')
    op.create_index(
        'ix_account_project_id',
        'account',
        ['project_id'],
        unique=False)
    op.create_table(
        'user',
        sa.Column('id', sa.Integer(), nullable=False),
        sa.Column('user_id', sa.String(length=255), nullable=False),
        sa.Column('email', sa.String(length=255)),
        sa.Column(
            'username',
            sa.String(length=64).with_variant(
                sa.String(length=64, collation='utf8mb4_bin'),
                'mysql', 'mariadb'),
            nullable=False),
        sa.Column('project_id', sa.String(length=255), nullable=False),
        sa.PrimaryKeyConstraint('id', name='pk_user'),
        mysql_engine='InnoDB',
        mysql_charset='utf8mb4')
    op.create_index('ix_user_project_id', 'user', ['project_id'], unique=False)
    op.create_index('ix_user_username', 'user', ['username'], unique=True)
