"""A row's owning project, read the same way while some rows have none.

Until contract 1fd0aa0adf0f makes project_id NOT NULL, rows the release
before projects wrote have none; they belong to [api]
default_project_id (the online data migration project_ids writes it in).
users.py and accounts.py read and filter through these two functions,
so a row looks the same to a caller before and after the migration
reaches it.
"""

import sqlalchemy as sa


def shown(table, default):
    """The project_id column as callers see it, labelled project_id."""
    return sa.func.coalesce(table.c.project_id,
                            sa.literal(default, sa.String)).label(
        'project_id')


def within(table, project_id, default):
    """The condition 'belongs to project_id', served by its index."""
    if project_id == default:
        return sa.or_(table.c.project_id == project_id,
                      table.c.project_id.is_(None))
    return table.c.project_id == project_id
