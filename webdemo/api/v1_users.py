"""/v1/users: list (limit and marker), show, create, update, delete."""

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


@BLUEPRINT.get('/users')
def list_users():
    authorization.check('webdemo:user:list')
    return paging.listing('users', 'users.list_users', _users().page)


@BLUEPRINT.get('/users/<int:key>')
def show_user(key):
    authorization.check('webdemo:user:get')
    return errors.shown('user', key, _users().by_id(key))


@BLUEPRINT.post('/users')
def create_user():
    authorization.check('webdemo:user:create')
    fields = errors.body(schemas.USER_CREATE)['user']
    try:
        new = _users().create(fields['user_id'], fields['username'],
                              fields.get('email'))
    except db_exc.DBDuplicateEntry:
        raise _taken(fields['username']) from None
    return errors.shown('user', new, _users().by_id(new)), 201


@BLUEPRINT.patch('/users/<int:key>')
def update_user(key):
    authorization.check('webdemo:user:update')
    fields = errors.body(schemas.USER_UPDATE)['user']
    try:
        errors.existed('user', key, _users().update(key, **fields))
    except db_exc.DBDuplicateEntry:
        raise _taken(fields['username']) from None
    return errors.shown('user', key, _users().by_id(key))


@BLUEPRINT.delete('/users/<int:key>')
def delete_user(key):
    authorization.check('webdemo:user:delete')
    errors.existed('user', key, _users().delete(key))
    return '', 204
