"""Databases managed by sqlalchemy-migrate before webdemo used Alembic.

sqlalchemy-migrate kept its version in a table ``migrate_version``
(repository_id, repository_path, version). Its versions map onto Alembic
revisions below; ``db sync`` stamps the matching revision and upgrades
from there. The legacy table is left in place, untouched, so that
nothing an older tool reads is destroyed.
"""

import sqlalchemy

from webdemo.db import bookkeeping
from webdemo.db import errors

TABLE = bookkeeping.LEGACY_VERSION_TABLE

# sqlalchemy-migrate version -> the Alembic revision with the same schema.
REVISIONS = {
    1: '7dc0a5261bc4',  # create user table
    2: 'fac0847f78ff',  # create account table
}


def read_version(connection):
    """Return the legacy version recorded in the database, or None."""
    rows = errors.read_unless_no_table(connection, lambda c: c.execute(
        sqlalchemy.text(f'SELECT version FROM {TABLE}')).all())
    return int(rows[0][0]) if rows else None


def revision_for(version):
    """The Alembic revision matching a legacy version, or None."""
    return REVISIONS.get(version)
