"""The previous release's User model: user.name, NOT NULL and unique."""

from sqlalchemy import Column
from sqlalchemy import Integer
from sqlalchemy import MetaData
from sqlalchemy.orm import declarative_base
from sqlalchemy import String
from sqlalchemy import UniqueConstraint

BASE = declarative_base(metadata=MetaData())


class User(BASE):
    __tablename__ = 'user'
    __table_args__ = (
        UniqueConstraint('name', name='uq_user_name'),
        {'mysql_engine': 'InnoDB', 'mysql_charset': 'utf8mb4'},
    )

    id = Column(Integer, primary_key=True)
    user_id = Column(String(255), nullable=False)
    name = Column(String(64), nullable=False)
    email = Column(String(255))
