"""webdemo's online data migrations: the one place they are written.

``webdemo-manage db online_data_migrations`` runs those in MIGRATIONS,
in order (online_migrations.py says how, and what each function must
do). Add a migration as a function here and list it in MIGRATIONS with
the contract revision that needs it finished; db sync --contract
refuses while it has rows left. Remove it once no supported release can
have rows it would find.
"""

import sqlalchemy as sa

from webdemo.db.rolling import online_migrations

_USER = sa.table('user', sa.column('id'), sa.column('name'),
                 sa.column('username'))


def user_username(context, max_count):
    """Copy user.name into user.username where it is still empty.

    The previous release writes name only; this release writes both
    (users.py). Rows are taken in id order from where the last batch of
    this run ended, so no batch reads past rows already done; when none
    are left after it, the walk starts over once, for rows written
    behind it meanwhile.
    """
    todo = _USER.c.username.is_(None)
    with context.begin() as connection:
        if max_count == 0:
            count = sa.select(sa.func.count()).select_from(_USER).where(todo)
            return connection.execute(count).scalar(), 0
        after = context.positions.get(user_username)
        ids = _ids_after(connection, todo, after, max_count)
        if not ids and after is not None:
            ids = _ids_after(connection, todo, None, max_count)
        if not ids:
            return 0, 0
        context.positions[user_username] = ids[-1]
        done = connection.execute(
            _USER.update().where(_USER.c.id.in_(ids), todo)
            .values(username=_USER.c.name)).rowcount
    return len(ids), done


def _ids_after(connection, todo, after, limit):
    """Ids needing migration above after (None: from the first)."""
    query = sa.select(_USER.c.id).where(todo)
    if after is not None:
        query = query.where(_USER.c.id > after)
    return connection.execute(
        query.order_by(_USER.c.id).limit(limit)).scalars().all()


MIGRATIONS = (
    # Contract 3fd795719d99 makes username NOT NULL and drops name.
    online_migrations.Registered(user_username, before='3fd795719d99'),
)
