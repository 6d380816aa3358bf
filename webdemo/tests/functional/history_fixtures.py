"""The order in which the migration tests walk the revision history."""

from alembic import util as alembic_util

from webdemo.db import scripts


def walk_order():
    """Every revision, base first, parents before children."""
    return list(reversed(scripts.Scripts.load().walk()))


def undo_target(script):
    """The Alembic target that undoes one revision, while it is a head."""
    parents = alembic_util.to_tuple(script.down_revision)
    if not parents:
        return 'base'
    if len(parents) > 1:
        # Down to one parent undoes just the merge; both parents stay.
        return parents[0]
    # '<rev>@-1' steps down that revision's own branch only, also while a
    # sibling branch is applied.
    return f'{script.revision}@-1'
