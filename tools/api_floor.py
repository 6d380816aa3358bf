"""The API benchmark's floors (tools/api_benchmark.py), as WSGI apps.

What webdemo-api's two timed requests do at the least, with nothing
between Flask and the database: GET /v1/users?limit=N runs the same
SELECT (the project's users after a marker, by id, N of them) and
answers the same JSON with its next link; POST /v1/accounts reads the
body, runs the same INSERT and answers the row. No authentication,
policy, validation, microversion, request id or proxy handling, no
retries: what webdemo adds to these is what the benchmark measures.

With API_FLOOR_LIBRARIES set to a webdemo config file, the same routes
also go through what webdemo must use whatever its own code does, each
used as its documentation says and nothing else: keystonemiddleware's
auth_token (the token cached after its first use), oslo.policy's
enforcer with webdemo's rules (the checks each route makes: two for a
list, one for a create) over oslo.context's RequestContext, and oslo.db's
engine (which pings each connection it hands out). The gap between the
two floors is what those libraries cost.

    API_FLOOR_DATABASE=URL API_FLOOR_PROJECT=ID gunicorn api_floor:APP
"""

import os

import flask
import sqlalchemy as sa

PROJECT = os.environ['API_FLOOR_PROJECT']
LIBRARIES = os.environ.get('API_FLOOR_LIBRARIES')
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


def _allowed(rule, do_raise=True):
    """True without the libraries; else oslo.policy's answer."""
    if not LIBRARIES:
        return True
    context = flask.request.environ['floor.context']
    return ENFORCER.authorize(rule, {'project_id': context.project_id},
                              context, do_raise=do_raise)


@APP.get('/v1/users')
def list_users():
    _allowed('webdemo:user:list')
    _allowed('webdemo:user:list:all_projects', do_raise=False)
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
    _allowed('webdemo:account:create')
    fields = flask.request.get_json()['account']
    values = {'name': fields['name'],
              'description': fields.get('description'),
              'email': fields.get('email'), 'project_id': PROJECT}
    with ENGINE.begin() as connection:
        key = connection.execute(
            ACCOUNTS.insert().values(values)).inserted_primary_key[0]
    return {'account': {'id': key, **values}}, 201


def _with_libraries(path):
    """oslo.db's engine, an enforcer, APP behind auth_token."""
    from keystonemiddleware import auth_token
    from oslo_config import cfg
    from oslo_context import context
    from oslo_db.sqlalchemy import engines
    from oslo_policy import opts
    from oslo_policy import policy

    from webdemo import policies

    conf = cfg.ConfigOpts()
    conf(['--config-file', path], project='webdemo',
         default_config_files=[], default_config_dirs=[])
    # The defaults webdemo's enforcer runs with (webdemo/policy.py).
    opts.set_defaults(conf, enforce_scope=True, enforce_new_defaults=True)
    enforcer = policy.Enforcer(conf)
    enforcer.register_defaults(policies.list_rules())
    engine = engines.create_engine(os.environ['API_FLOOR_DATABASE'],
                                   thread_checkin=False)
    inner = APP.wsgi_app

    def with_context(environ, start_response):
        environ['floor.context'] = context.RequestContext.from_environ(
            environ)
        return inner(environ, start_response)

    APP.wsgi_app = auth_token.filter_factory(
        {}, oslo_config_config=conf)(with_context)
    return engine, enforcer


if LIBRARIES:
    ENGINE, ENFORCER = _with_libraries(LIBRARIES)
else:
    ENGINE = sa.create_engine(os.environ['API_FLOOR_DATABASE'])
