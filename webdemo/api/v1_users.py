"""/v1/users: list (limit and marker), show and create users."""

import flask
from oslo_db import exception as db_exc
from werkzeug import exceptions

from webdemo.api import errors
from webdemo.api import schemas

BLUEPRINT = flask.Blueprint('users', __name__)
MAX_LIMIT = 1000


def _users():
    return flask.current_app.config['webdemo.users']


def _limit():
    limit = flask.request.args.get('limit', '100')
    if not limit.isdigit() or not 0 < int(limit) <= MAX_LIMIT:
        raise exceptions.BadRequest(
            f'limit: must be a whole number from 1 to {MAX_LIMIT}')
    return int(limit)


def _marker():
    marker = flask.request.args.get('marker')
    if marker is not None and not marker.isdigit():
        raise exceptions.BadRequest('marker: must be the id of a user')
    return None if marker is None else int(marker)


@BLUEPRINT.get('/users')
def list_users():
    limit = _limit()
    page = _users().page(limit, _marker())
    links = []
    if len(page) == limit:
        links.append({'rel': 'next', 'href': flask.url_for(
            'users.list_users', limit=limit, marker=page[-1]['id'])})
    return {'users': page, 'links': links}


@BLUEPRINT.get('/users/<int:user_id>')
def show_user(user_id):
    found = _users().by_id(user_id)
    if found is None:
        raise exceptions.NotFound(f'user {user_id} not found')
    return {'user': found}


@BLUEPRINT.post('/users')
def create_user():
    body = flask.request.get_json(silent=True)
    errors.validate(schemas.USER_CREATE, body)
    fields = body['user']
    try:
        new_id = _users().create(fields['user_id'], fields['username'],
                                 fields.get('email'))
    except db_exc.DBDuplicateEntry:
        raise exceptions.Conflict(
            f'username {fields["username"]!r} is taken') from None
    return {'user': _users().by_id(new_id)}, 201
