"""/v1/users: list (limit and marker), show, create, update, delete.

Each user belongs to the project of the caller who created it; a caller
sees and changes its own project's users, an admin every project's
(authorization.py, webdemo/policies/).
"""

import functools
import unicodedata

import flask
from oslo_db import exception as db_exc
from werkzeug import exceptions

from webdemo.api import authorization
from webdemo.api import errors
from webdemo.api import paging
from webdemo.api import responses
from webdemo.api import schemas

BLUEPRINT = flask.Blueprint('users', __name__)


def _users():
    return flask.current_app.config['webdemo.users']


def _fields(schema):
    """The user's fields from the body, its username in Unicode NFC.

    The same name typed as 'e' and a combining accent or as one
    character is one name: stored and compared in one form, the same
    code points on every backend.
    """
    fields = dict(errors.body(schema)['user'])
    if 'username' in fields:
        fields['username'] = unicodedata.normalize('NFC',
                                                   fields['username'])
    return fields


def _taken(username):
    return exceptions.Conflict(f'username {username!r} is taken')


def _found(rule, key):
    """The user key, if the caller may perform rule on it; else a 404/403."""
    return errors.shown('user', key, authorization.visible(
        rule, _users().by_id(key)))


@BLUEPRINT.get('/users')
def list_users():
    authorization.check('webdemo:user:list')
    project = authorization.listed_project('webdemo:user:list:all_projects')
    return paging.listing('users', 'users.list_users', functools.partial(
        _users().page, project_id=project))


@BLUEPRINT.get('/users/' + paging.ITEM)
def show_user(key):
    return _found('webdemo:user:get', key)


@BLUEPRINT.post('/users')
def create_user():
    authorization.check('webdemo:user:create')
    project = authorization.own_project()
    fields = _fields(schemas.USER_CREATE)
    try:
        new = _users().create(project, fields['user_id'],
                              fields['username'], fields.get('email'))
    except db_exc.DBDuplicateEntry:
        raise _taken(fields['username']) from None
    return {'user': new}, 201


@BLUEPRINT.patch('/users/' + paging.ITEM)
def update_user(key):
    _found('webdemo:user:update', key)
    fields = _fields(schemas.USER_UPDATE)
    try:
        errors.existed('user', key, _users().update(key, **fields))
    except db_exc.DBDuplicateEntry:
        raise _taken(fields['username']) from None
    return errors.shown('user', key, _users().by_id(key))


@BLUEPRINT.delete('/users/' + paging.ITEM)
def delete_user(key):
    _found('webdemo:user:delete', key)
    errors.existed('user', key, _users().delete(key))
    return responses.no_content()
