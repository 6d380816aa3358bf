"""webdemo's database models.

Every constraint and index carries an explicit name, the same on every
backend, so that migrations can refer to it by name.
"""

from sqlalchemy import Column
from sqlalchemy import Index
from sqlalchemy import Integer
from sqlalchemy import MetaData
from sqlalchemy.orm import declarative_base
from sqlalchemy import String
from sqlalchemy import Unicode

from webdemo.db.sqlalchemy import naming
from webdemo import password

# InnoDB for transactions and utf8mb4 for full Unicode on MySQL/MariaDB;
# other backends ignore these.
MYSQL_TABLE_ARGS = {'mysql_engine': 'InnoDB', 'mysql_charset': 'utf8mb4'}

BASE = declarative_base(
    metadata=MetaData(naming_convention=naming.NAMING_CONVENTION))


class User(BASE):
    """A user; the schema after contracts 3fd795719d99 and 1fd0aa0adf0f.

    Until the first contract runs the table also has the previous
    release's name column, which webdemo/db/users.py keeps filled; until
    the second, project_id may be empty (the release before writes none).
    """
    __tablename__ = 'user'
    __table_args__ = (
        Index('ix_user_username', 'username', unique=True),
        Index('ix_user_project_id', 'project_id'),
        MYSQL_TABLE_ARGS,
    )

    id = Column(Integer, primary_key=True)
    user_id = Column(String(255), nullable=False)
    # Compared by code point on every backend (contract a392e388916b).
    username = Column(String(64).with_variant(
        String(64, collation='utf8mb4_bin'), 'mysql', 'mariadb'),
        nullable=False)
    email = Column(String(255))
    # The owning project (a Keystone project id).
    project_id = Column(String(255), nullable=False)


class Account(BASE):
    __tablename__ = 'account'
    __table_args__ = (
        Index('ix_account_project_id', 'project_id'),
        MYSQL_TABLE_ARGS,
    )

    id = Column(Integer, primary_key=True)
    name = Column(String(50), nullable=False)
    description = Column(Unicode(200))
    email = Column(String(255))
    password_hash = Column(String(255))
    project_id = Column(String(255), nullable=False)

    def set_password(self, plain_password):
        """Store a salted hash of plain_password; never the password."""
        self.password_hash = password.hash_password(plain_password)

    def check_password(self, plain_password):
        return password.verify_password(plain_password, self.password_hash)
