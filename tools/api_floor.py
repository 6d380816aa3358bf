"""The API benchmark's floor (tools/api_benchmark.py), as a WSGI app.

What webdemo-api's two timed requests do at the least, with nothing
between Flask and the database: GET /v1/users?limit=N runs the same
SELECT (the project's users after a marker, by id, N of them) and
answers the same JSON with its next link; POST /v1/accounts reads the
body, runs the same INSERT and answers the row. No authentication,
policy, validation, microversion, request id or proxy handling, no
retries: what webdemo adds to these is what the benchmark measures.

    API_FLOOR_DATABASE=URL API_FLOOR_PROJECT=ID gunicorn api_floor:APP
"""

import os

import flask
import sqlalchemy as sa

ENGINE = sa.create_engine(os.environ['API_FLOOR_DATABASE'])
PROJECT = os.environ['API_FLOOR_PROJECT']
# The tables as the floor needs them, written out: importing webdemo's
# models would be importing part of what is measured.
_METADATA = sa.MetaData()
USERS = sa.Table('user', _METADATA,
                 sa.Column('id', sa.Integer, primary_key=True),
                 *(sa.Column(name, sa.String) for name in (
                     'user_id', 'username', 'email', 'project_id')))
ACCOUNTS = sa.Table('account', _METADATA,
                    sa.Column('id', sa.Integer, primary_key=True),
                    *(sa.Column(name, sa.String) for name in (
                        'name', 'description', 'email', 'project_id')))
APP = flask.Flask('api_floor')


@APP.get('/v1/users')
def list_users():
    limit = int(flask.request.args.get('limit', 100))
    query = sa.select(USERS).where(USERS.c.project_id == PROJECT).order_by(
        USERS.c.id).limit(limit)
    if 'marker' in flask.request.args:
        query = query.where(USERS.c.id > int(flask.request.args['marker']))
    with ENGINE.connect() as connection:
        page = [dict(row._mapping) for row in connection.execute(query)]
    links = []
    if len(page) == limit:
        links.append({'rel': 'next', 'href': flask.url_for(
            'list_users', limit=limit, marker=page[-1]['id'],
            _external=True)})
    return {'users': page, 'links': links}


@APP.post('/v1/accounts')
def create_account():
    fields = flask.request.get_json()['account']
    values = {'name': fields['name'],
              'description': fields.get('description'),
              'email': fields.get('email'), 'project_id': PROJECT}
    with ENGINE.begin() as connection:
        key = connection.execute(
            ACCOUNTS.insert().values(values)).inserted_primary_key[0]
    return {'account': {'id': key, **values}}, 201
