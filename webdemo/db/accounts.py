"""This release's access to accounts; passwords only ever as hashes.

Each account belongs to a project (projects.py reads a row without one,
written by the release before projects, as the default project's).
"""

import sqlalchemy as sa

from webdemo.db import projects
from webdemo.db import retries
from webdemo.db.sqlalchemy import models
from webdemo import password

_ACCOUNT = models.Account.__table__
# What is ever returned: never password_hash.
_SHOWN = (_ACCOUNT.c.id, _ACCOUNT.c.name, _ACCOUNT.c.description,
          _ACCOUNT.c.email)


class Accounts:
    """Create, find, change and remove accounts through one engine.

    :param default_project_id: [api] default_project_id
    """

    def __init__(self, engine, default_project_id=None):
        self._engine = engine
        self._default = default_project_id
        self._shown = (*_SHOWN, projects.shown(_ACCOUNT, default_project_id))

    @retries.on_deadlock
    def create(self, project_id, name, description=None, email=None,
               plain=None):
        """Add an account to project_id; it, as by_id shows it.

        plain is hashed here. The row is read back in the transaction
        that wrote it: one trip through the pool, not two.
        """
        values = _values(name=name, description=description, email=email,
                         plain=plain, project_id=project_id)
        with self._engine.begin() as connection:
            return self._row(connection, connection.execute(
                _ACCOUNT.insert().values(values)).inserted_primary_key[0])

    @retries.on_deadlock
    def by_id(self, key):
        """The account whose id is key, as a dict, or None."""
        with self._engine.connect() as connection:
            return self._row(connection, key)

    def _row(self, connection, key):
        row = connection.execute(sa.select(*self._shown).where(
            _ACCOUNT.c.id == key)).first()
        return None if row is None else dict(row._mapping)

    @retries.on_deadlock
    def page(self, limit, marker=None, project_id=None):
        """Up to limit accounts with an id above marker, by id.

        :param project_id: only this project's; None for every project's
        """
        query = sa.select(*self._shown).order_by(_ACCOUNT.c.id).limit(limit)
        if marker is not None:
            query = query.where(_ACCOUNT.c.id > marker)
        if project_id is not None:
            query = query.where(projects.within(_ACCOUNT, project_id,
                                                self._default))
        with self._engine.connect() as connection:
            return [dict(row._mapping) for row in connection.execute(query)]

    @retries.on_deadlock
    def update(self, key, **fields):
        """Change an account's fields (password: 'plain'); True if found."""
        with self._engine.begin() as connection:
            return connection.execute(_ACCOUNT.update().where(
                _ACCOUNT.c.id == key).values(_values(**fields))).rowcount > 0

    @retries.on_deadlock
    def delete(self, key):
        """Remove an account; True if it was there."""
        with self._engine.begin() as connection:
            return connection.execute(_ACCOUNT.delete().where(
                _ACCOUNT.c.id == key)).rowcount > 0


def _values(**fields):
    plain = fields.pop('plain', None)
    if plain is not None:
        fields['password_hash'] = password.hash_password(plain)
    return fields
