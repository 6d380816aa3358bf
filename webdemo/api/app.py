"""The API's WSGI application, for webdemo-api and for WSGI servers.

create_app() builds it from a loaded configuration: Flask routes under
/v1, each checked by policy (authorization.py), every error as JSON,
behind the schema guard (schema_guard.py) and the authentication
[api] auth_strategy names (authentication.py); beside them
oslo.middleware's healthcheck (/healthcheck, which answers without
authentication, as load balancers call it); outermost oslo's request
id and proxy headers. webdemo.wsgi.api calls
init_application(), which reads the configuration exactly as
webdemo-manage does (default files, OS_* environment variables).
"""

import flask
from oslo_config import cfg
from oslo_log import log as logging
from oslo_middleware import healthcheck
from oslo_middleware import http_proxy_to_wsgi
from oslo_middleware import request_id
from werkzeug.middleware import dispatcher

from webdemo.api import authentication
from webdemo.api import authorization
from webdemo.api import errors
from webdemo.api import paging
from webdemo.api import responses
from webdemo.api import schema_guard
from webdemo.api import v1_accounts
from webdemo.api import v1_users
from webdemo.api import versions
from webdemo import conf as webdemo_conf
from webdemo.conf import middleware
from webdemo.db import accounts
from webdemo.db import engines
from webdemo.db.rolling import services
from webdemo.db import users
from webdemo import policy
from webdemo import release

LOG = logging.getLogger(__name__)


def create_app(conf, register=True):
    """The WSGI application for conf; its engine is made here.

    :param conf: a loaded ConfigOpts with webdemo's options registered
    :param register: register this process as a running service (the
        registry db sync --contract reads), renewed by a thread and
        removed at exit
    """
    app = flask.Flask('webdemo')
    # [oslo_middleware] max_request_body_size, the option OpenStack's
    # sizelimit middleware reads, enforced by Werkzeug as Flask reads
    # the body: a 413 before a byte is read when Content-Length says
    # more, and as soon as a chunked body goes past it (the middleware
    # itself answers HTML, and fails a chunked body inside Flask as a
    # 500).
    app.config['MAX_CONTENT_LENGTH'] = (
        conf.oslo_middleware.max_request_body_size)
    app.before_request(authorization.read_context)
    app.url_value_preprocessor(paging.no_such_item)
    engine = engines.create_engine(conf)
    interval = conf.api.schema_check_interval
    if register:
        _register(engine, interval)
    default_project = conf.api.default_project_id
    app.config['webdemo.users'] = users.Users(engine, default_project)
    app.config['webdemo.accounts'] = accounts.Accounts(engine,
                                                       default_project)
    app.config[authorization.ENFORCER] = policy.make_enforcer(conf)
    app.register_blueprint(v1_users.BLUEPRINT, url_prefix='/v1')
    app.register_blueprint(v1_accounts.BLUEPRINT, url_prefix='/v1')
    errors.register(app)
    responses.register(app, conf.api.response_validation)
    guard = schema_guard.SchemaGuard(
        app.wsgi_app, schema_guard.reader(engine), interval)
    schema_guard.register(app, guard)
    # oslo.middleware's healthcheck is an application of its own,
    # mounted at /healthcheck beside the authenticated routes: guarded
    # too (a load balancer drains a service that cannot serve), but
    # after authentication for the rest, whose 503 names the schema.
    wrapped = dispatcher.DispatcherMiddleware(
        authentication.wrap(guard, conf),
        {'/healthcheck': guard.around(healthcheck.Healthcheck(None, conf))})
    # The version document before authentication: clients read it first.
    wrapped = versions.Microversions(versions.VersionDocument(wrapped))
    # On the way in: proxy headers first, then the request id.
    wrapped = request_id.RequestId(wrapped)
    return http_proxy_to_wsgi.HTTPProxyToWSGI(wrapped, conf)


def _register(engine, interval):
    """Register this process, renewed by a thread of its own.

    A row is stale after three missed beats and ten seconds more.
    """
    services.Heartbeat(services.Registration(
        engine, release.NAME, release.LEVEL, stale_after=3 * interval + 10),
        interval).start()


def load_configuration(args=()):
    """The service's configuration, loaded; logging set up from it.

    :param args: --config-file/--config-dir arguments; none means
        oslo.config's default files
    """
    conf = cfg.ConfigOpts()
    logging.register_options(conf)
    middleware.register_opts(conf)
    webdemo_conf.load(conf, args)
    logging.setup(conf, 'webdemo')
    return conf


def init_application(args=(), register=True):
    """create_app() on the configuration args name (load_configuration).

    :param register: as for create_app
    """
    return create_app(load_configuration(args), register)
