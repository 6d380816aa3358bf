"""/v1/users: list (limit and marker), show, create, update, delete.

Each user belongs to the project of the caller who created it; a caller
sees and changes its own project's users, an admin every project's
(authorization.py, webdemo/policies/).
"""

import functools

import flask
from oslo_db import exception as db_exc
from werkzeug import exceptions

from webdemo.api import authorization
from webdemo.api import errors
from webdemo.api import paging
from webdemo.api import schemas

BLUEPRINT = flask.Blueprint('users', __name__)


def _users():
    return flask.current_app.config['webdemo.users']


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
    fields = errors.body(schemas.USER_CREATE)['user']
    try:
        new = _users().create(project, fields['user_id'],
                              fields['username'], fields.get('email'))
    except db_exc.DBDuplicateEntry:
        raise _taken(fields['username']) from None
    return errors.shown('user', new, _users().by_id(new)), 201


@BLUEPRINT.patch('/users/' + paging.ITEM)
def update_user(key):
    _found('webdemo:user:update', key)
    fields = errors.body(schemas.USER_UPDATE)['user']
    try:
        errors.existed('user', key, _users().update(key, **fields))
    except db_exc.DBDuplicateEntry:
        raise _taken(fields['username']) from None
    return errors.shown('user', key, _users().by_id(key))


@BLUEPRINT.delete('/users/' + paging.ITEM)
def delete_user(key):
    _found('webdemo:user:delete', key)
    errors.existed('user', key, _users().delete(key))
    return '', 204
