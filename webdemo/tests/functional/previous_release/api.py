"""The previous release's API, frozen: /v1/users on user.name.

Its JSON is the same as this release's (the API did not change; the
column did), so one client talks to both during a rolling upgrade. It
registers as the previous release (level 1; contract 3fd795719d99 needs
level 2) and keeps its heartbeat, so db sync --contract refuses while it
runs.

    gunicorn 'webdemo.tests.functional.previous_release.api:application'

The database is OS_DATABASE__CONNECTION, as for webdemo.
"""

import os

import flask
import sqlalchemy as sa

from webdemo.db.rolling import services
from webdemo.tests.functional.previous_release import release
from webdemo.tests.functional.previous_release import users

_ENGINE = sa.create_engine(os.environ['OS_DATABASE__CONNECTION'],
                           pool_pre_ping=True)
_USERS = users.Users(_ENGINE)
application = flask.Flask('webdemo-previous')


def _shown(user):
    return {'id': user['id'], 'user_id': user['user_id'],
            'username': user['name'], 'email': user['email']}


@application.get('/v1/users')
def list_users():
    return {'users': [_shown(user) for user in _USERS.list()]}


@application.get('/v1/users/<int:key>')
def show_user(key):
    found = [user for user in _USERS.list() if user['id'] == key]
    if not found:
        return {'error': {'code': 404, 'message': 'not found'}}, 404
    return {'user': _shown(found[0])}


@application.post('/v1/users')
def create_user():
    fields = flask.request.get_json()['user']
    key = _USERS.create(fields['user_id'], fields['username'],
                        fields.get('email'))
    return {'user': {'id': key, 'user_id': fields['user_id'],
                     'username': fields['username'],
                     'email': fields.get('email')}}, 201


@application.get('/healthcheck')
def healthcheck():
    return 'OK'


# Beats every 5 s, stale after 25 s, as this release's services do.
services.Heartbeat(services.Registration(
    _ENGINE, release.NAME, release.LEVEL, stale_after=25), 5).start()
