"""The previous release's access to users: it knows user.name only."""

import sqlalchemy as sa

from webdemo.tests.functional.previous_release import models

USER = models.User.__table__


class Users:

    def __init__(self, engine):
        self._engine = engine

    def create(self, user_id, name, email=None):
        with self._engine.begin() as connection:
            return connection.execute(USER.insert().values(
                user_id=user_id, name=name,
                email=email)).inserted_primary_key[0]

    def get(self, name):
        with self._engine.connect() as connection:
            row = connection.execute(
                sa.select(USER).where(USER.c.name == name)).first()
        return None if row is None else dict(row._mapping)

    def list(self):
        with self._engine.connect() as connection:
            return [dict(row._mapping) for row in connection.execute(
                sa.select(USER).order_by(USER.c.id))]
