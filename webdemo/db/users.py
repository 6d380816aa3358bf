"""This release's access to users, correct in every phase of its upgrade.

user.name is being renamed to user.username (expand 828dea7d5e92, the
online data migration user_username, contract 3fd795719d99). Until the
contract runs, the previous release may still be running and reads and
writes name only; so this release writes both columns and reads
username, falling back to name for rows the previous release wrote and
the data migration has not reached. Once the contract has dropped name,
it uses username alone. It learns which of the two it faces from the
table itself, once, and again when a write fails because the contract
ran meanwhile.

Each user belongs to a project (projects.py reads a row without one,
written by the release before projects, as the default project's).
"""

import sqlalchemy as sa

from webdemo.db import errors
from webdemo.db import projects
from webdemo.db import retries


def _user_table(*more):
    return sa.Table('user', sa.MetaData(),
                    sa.Column('id', sa.Integer, primary_key=True),
                    sa.Column('user_id', sa.String(255)),
                    sa.Column('username', sa.String(64)),
                    sa.Column('email', sa.String(255)),
                    sa.Column('project_id', sa.String(255)), *more)


_USER = _user_table()
# Until the contract: the previous release's column too.
_USER_WITH_NAME = _user_table(sa.Column('name', sa.String(64)))


class Users:
    """Create, find and list users through one engine.

    :param default_project_id: [api] default_project_id
    """

    def __init__(self, engine, default_project_id=None):
        self._engine = engine
        self._default = default_project_id
        self._has_name = None

    def create(self, project_id, user_id, username, email=None):
        """Add a user to project_id; it, as by_id shows it.

        The row is read back in the transaction that wrote it.
        """
        def insert(connection, has_name):
            values = {'user_id': user_id, 'username': username,
                      'email': email, 'project_id': project_id}
            if has_name:
                values['name'] = username
            return self._row(connection, has_name, connection.execute(
                _table(has_name).insert().values(
                    values)).inserted_primary_key[0])
        return self._run(insert)

    def get(self, username):
        """The user called username, as a dict, or None."""
        def select(connection, has_name):
            row = connection.execute(self._select(has_name).where(
                _named(has_name, username))).first()
            return None if row is None else dict(row._mapping)
        return self._run(select)

    def by_id(self, key):
        """The user whose primary key is key, as a dict, or None."""
        return self._run(lambda connection, has_name: self._row(
            connection, has_name, key))

    def _row(self, connection, has_name, key):
        row = connection.execute(self._select(has_name).where(
            _table(has_name).c.id == key)).first()
        return None if row is None else dict(row._mapping)

    def page(self, limit, marker=None, project_id=None):
        """Up to limit users with an id above marker, by id, as dicts.

        :param project_id: only this project's; None for every project's
        """
        def select(connection, has_name):
            table = _table(has_name)
            query = self._select(has_name).order_by(table.c.id).limit(limit)
            if marker is not None:
                query = query.where(table.c.id > marker)
            if project_id is not None:
                query = query.where(projects.within(table, project_id,
                                                    self._default))
            return [dict(row._mapping) for row in connection.execute(query)]
        return self._run(select)

    def update(self, key, **fields):
        """Change a user's username or email; True if it was there."""
        def change(connection, has_name):
            values = dict(fields)
            if has_name and 'username' in values:
                values['name'] = values['username']
            table = _table(has_name)
            return connection.execute(table.update().where(
                table.c.id == key).values(values)).rowcount > 0
        return self._run(change)

    def delete(self, key):
        """Remove a user; True if it was there."""
        def remove(connection, has_name):
            return connection.execute(_USER.delete().where(
                _USER.c.id == key)).rowcount > 0
        return self._run(remove)

    def list(self):
        """Every user, as dicts, by id."""
        def select(connection, has_name):
            rows = connection.execute(self._select(has_name).order_by(
                _table(has_name).c.id))
            return [dict(row._mapping) for row in rows]
        return self._run(select)

    @retries.on_deadlock
    def _run(self, work):
        """work(connection, has_name) in one transaction.

        If it fails, the contract (or its downgrade) may have run since
        this process looked at the table: look again, and if the answer
        changed, retry once.
        """
        try:
            with self._engine.begin() as connection:
                return work(connection, self._knows_name(connection))
        except errors.DATABASE_ERRORS as error:
            looked, self._has_name = self._has_name, None
            with self._engine.begin() as connection:
                if self._knows_name(connection) == looked:
                    raise error
                return work(connection, self._has_name)

    def _select(self, has_name):
        table = _table(has_name)
        return sa.select(table.c.id, table.c.user_id,
                         _username(has_name).label('username'),
                         table.c.email,
                         projects.shown(table, self._default))

    def _knows_name(self, connection):
        if self._has_name is None:
            columns = sa.inspect(connection).get_columns('user')
            self._has_name = any(column['name'] == 'name'
                                 for column in columns)
        return self._has_name


def _table(has_name):
    return _USER_WITH_NAME if has_name else _USER


def _username(has_name):
    if not has_name:
        return _USER.c.username
    return sa.func.coalesce(_USER_WITH_NAME.c.username,
                            _USER_WITH_NAME.c.name)


def _named(has_name, username):
    """The condition 'is called username', served by the indexes."""
    if not has_name:
        return _USER.c.username == username
    table = _USER_WITH_NAME
    return sa.or_(table.c.username == username,
                  sa.and_(table.c.username.is_(None),
                          table.c.name == username))
