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
from webdemo import exception

_USER = sa.table('user', sa.column('id'), sa.column('name'),
                 sa.column('username'))
_OWNED = tuple(sa.table(name, sa.column('id'), sa.column('project_id'))
               for name in ('user', 'account'))


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
        ids = _next_batch(connection, context, user_username, todo,
                          max_count, _USER)
        if not ids:
            return 0, 0
        done = connection.execute(
            _USER.update().where(_USER.c.id.in_(ids), todo)
            .values(username=_USER.c.name)).rowcount
    return len(ids), done


# A table this run has found nothing left in, even from its first row.
_DONE = object()


def _next_batch(connection, context, key, todo, limit, table):
    """Ids of table's next batch needing migration, in id order.

    Each batch starts where the last one of this run ended (positions,
    under key), so that none reads past the rows done before it: without
    it, PostgreSQL read every row done so far again for each batch (a
    backfill of a million rows slowed to a few thousand rows a second).
    At the end it starts over once, for rows written behind it meanwhile.
    """
    after = context.positions.get(key)
    if after is _DONE:
        return []
    ids = _ids_after(connection, todo, after, limit, table)
    if not ids and after is not None:
        ids = _ids_after(connection, todo, None, limit, table)
    context.positions[key] = ids[-1] if ids else _DONE
    return ids


def _ids_after(connection, todo, after, limit, table):
    """Ids needing migration above after (None: from the first)."""
    query = sa.select(table.c.id).where(todo)
    if after is not None:
        query = query.where(table.c.id > after)
    return connection.execute(
        query.order_by(table.c.id).limit(limit)).scalars().all()


def project_ids(context, max_count):
    """Give rows without a project the default project, user then account.

    The release before projects writes none; this release reads such a
    row as [api] default_project_id's, so giving it that project changes
    nothing a caller sees. Without that setting the rows are counted,
    and the run stops naming it.
    """
    with context.begin() as connection:
        if max_count == 0:
            return _without_project(connection), 0
        # Each batch takes the first table that has any left: no count
        # of both tables per batch.
        for table in _OWNED:
            todo = table.c.project_id.is_(None)
            ids = _next_batch(connection, context, (project_ids, table.name),
                              todo, max_count, table)
            if ids:
                break
        else:
            return 0, 0
        project = context.settings and context.settings.default_project_id
        if not project:
            raise exception.ConfigurationError(
                f'{_without_project(connection)} users and accounts have no '
                f'project: set [api] default_project_id to the project that '
                f'owns them, then run this again.')
        done = connection.execute(
            table.update().where(table.c.id.in_(ids), todo)
            .values(project_id=project)).rowcount
    return len(ids), done


def _without_project(connection):
    return sum(connection.execute(sa.select(sa.func.count()).select_from(
        table).where(table.c.project_id.is_(None))).scalar()
        for table in _OWNED)


MIGRATIONS = (
    # Contract 3fd795719d99 makes username NOT NULL and drops name.
    online_migrations.Registered(user_username, before='3fd795719d99'),
    # Contract 1fd0aa0adf0f makes project_id NOT NULL.
    online_migrations.Registered(project_ids, before='1fd0aa0adf0f'),
)
