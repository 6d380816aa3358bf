"""Who is calling: the middleware for [api] auth_strategy.

Each strategy ends the same way: the request's WSGI environment holds
the caller's identity as keystonemiddleware's auth_token writes it
(HTTP_X_USER_ID, HTTP_X_PROJECT_ID, HTTP_X_ROLES), which
oslo.context's RequestContext.from_environ reads for the policy checks
(authorization.py). A request that does not authenticate is answered
401 here, before any route or the database sees it.

- keystone: auth_token itself, configured under [keystone_authtoken];
- http_basic: oslo.middleware's basic auth against a bcrypt htpasswd
  file, then [api] http_basic_assignments for the user's project and
  role;
- noauth2: the identity headers taken as sent. For tests only.
"""

import ipaddress

from keystoneauth1 import loading
from keystonemiddleware import auth_token
from oslo_config import cfg
from oslo_log import log as logging
from oslo_middleware import basic_auth
from oslo_middleware import exceptions as middleware_exceptions
import webob.exc

from webdemo.api import errors
from webdemo.conf import api as api_conf
from webdemo import exception

LOG = logging.getLogger(__name__)

_AUTHTOKEN = 'keystone_authtoken'

# Keystone's default roles imply one another (keystone-manage bootstrap
# creates admin -> member -> reader); its tokens list the implied roles,
# so the two strategies without Keystone list them too.
_IMPLIED = {'admin': ('admin', 'member', 'reader'),
            'member': ('member', 'reader'), 'reader': ('reader',)}

# What a client could send to claim an identity: every header
# RequestContext.from_environ reads, auth_token's own status headers,
# and the token headers.
_IDENTITY_PREFIXES = ('HTTP_X_USER', 'HTTP_X_PROJECT', 'HTTP_X_TENANT',
                      'HTTP_X_DOMAIN', 'HTTP_X_ROLE', 'HTTP_X_SERVICE',
                      'HTTP_X_IS_ADMIN', 'HTTP_X_IDENTITY', 'HTTP_X_AUTH',
                      'HTTP_X_STORAGE', 'HTTP_OPENSTACK_SYSTEM_SCOPE')


def wrap(application, conf):
    """application behind the authentication conf's strategy names."""
    strategy = conf.api.auth_strategy
    if strategy == api_conf.KEYSTONE:
        return _keystone(application, conf)
    if strategy == api_conf.HTTP_BASIC:
        return _http_basic(application, conf)
    LOG.warning('[api] auth_strategy is noauth2: every request is trusted '
                'to say who it is (X-User-Id, X-Project-Id, X-Roles). '
                'For tests only; never serve it beyond this host.')
    return _WithoutIdentityHeaders(_NoAuth2(application),
                                   keep=_NoAuth2.TRUSTED)


def check_address(strategy, host):
    """Refuse to serve noauth2 on an address reachable from elsewhere.

    :param strategy: [api] auth_strategy
    :param host: the address the server binds
    :raises webdemo.exception.ConfigurationError: noauth2 beyond loopback
    """
    if strategy == api_conf.NOAUTH2 and not _is_loopback(host):
        raise exception.ConfigurationError(
            f'[api] auth_strategy noauth2 trusts any caller to say who it '
            f'is; it is served on a loopback address only, not {host}: '
            f'use --host 127.0.0.1, or auth_strategy keystone or '
            f'http_basic.')


def _is_loopback(host):
    try:
        return ipaddress.ip_address(host).is_loopback
    except ValueError:
        return host == 'localhost'


def implied_roles(roles):
    """roles with the roles each implies, in Keystone's default order."""
    found = {implied for role in roles for implied in _IMPLIED.get(role, ())}
    return sorted(found | set(roles))


def assignments(entries):
    """{user: (project_id, role)} from [api] http_basic_assignments."""
    return {user: (project, role) for user, project, role in
            (entry.split(':') for entry in entries)}


def _keystone(application, conf):
    # Unconfigured, auth_token starts but fails every request with a
    # 500: refuse to start instead.
    loading.register_auth_conf_options(conf, _AUTHTOKEN)
    if not conf[_AUTHTOKEN].auth_type:
        raise exception.ConfigurationError(
            f'[api] auth_strategy is keystone, but [{_AUTHTOKEN}] has no '
            f'auth_type: configure it (auth_type = password, auth_url, '
            f'username, password, project_name, www_authenticate_uri), '
            f'or choose auth_strategy http_basic.')
    # oslo_config_config: read [keystone_authtoken] from our conf, not
    # from oslo.config's global one.
    return auth_token.filter_factory(
        {}, oslo_config_config=conf)(application)


def _http_basic(application, conf):
    # BasicAuthMiddleware reads its file name from oslo.config's global
    # object only; the value is ours, so hand it over there.
    user_file = conf.oslo_middleware.http_basic_auth_user_file
    cfg.CONF.set_override('http_basic_auth_user_file', user_file,
                          'oslo_middleware')
    assigned = _Assigned(application,
                         assignments(conf.api.http_basic_assignments))
    try:
        return _WithoutIdentityHeaders(_BasicAuth(assigned))
    # It checks the file at start: unreadable, or (as an HTTP error) a
    # line that is not a bcrypt entry, which its detail names.
    except (middleware_exceptions.ConfigInvalid,
            webob.exc.HTTPException) as error:
        detail = getattr(error, 'detail', None) or 'it cannot be read'
        raise exception.ConfigurationError(
            f'[oslo_middleware] http_basic_auth_user_file {user_file}: '
            f'{detail}; fix the file (USER:BCRYPT_HASH lines) or the '
            f'option.') from None


class _WithoutIdentityHeaders:
    """Drop every identity header a client sent, but those in keep."""

    def __init__(self, application, keep=()):
        self._application = application
        self._keep = keep

    def __call__(self, environ, start_response):
        for key in [key for key in environ
                    if key.startswith(_IDENTITY_PREFIXES)
                    and key not in self._keep]:
            del environ[key]
        return self._application(environ, start_response)


class _BasicAuth(basic_auth.BasicAuthMiddleware):
    """oslo.middleware's basic auth, its 401 in the API's error shape."""

    def format_exception(self, e):
        # Its own answer lacks the title, and the challenge that tells a
        # client (curl, a browser) to send credentials.
        return _Unauthorized('send a user and password of the htpasswd '
                             'file (HTTP basic authentication).',
                             [('WWW-Authenticate', 'Basic realm="webdemo"')])


class _Unauthorized:
    """A 401 as a WSGI application."""

    def __init__(self, message, headers=()):
        self._message = message
        self._headers = headers

    def __call__(self, environ, start_response):
        return errors.answer(start_response, 401, self._message,
                             self._headers)


class _Assigned:
    """Set a basic-auth user's project and roles from the assignments."""

    def __init__(self, application, assigned):
        self._application = application
        self._assigned = assigned

    def __call__(self, environ, start_response):
        user = environ['HTTP_X_USER_NAME']
        environ['HTTP_X_USER_ID'] = user
        if user in self._assigned:
            project, role = self._assigned[user]
            environ['HTTP_X_PROJECT_ID'] = project
            environ['HTTP_X_ROLES'] = ','.join(implied_roles([role]))
        return self._application(environ, start_response)


class _NoAuth2:
    """Trust the identity headers; 401 without X-User-Id."""

    TRUSTED = ('HTTP_X_USER_ID', 'HTTP_X_PROJECT_ID', 'HTTP_X_ROLES')

    def __init__(self, application):
        self._application = application

    def __call__(self, environ, start_response):
        if not environ.get('HTTP_X_USER_ID'):
            return errors.answer(
                start_response, 401, 'noauth2: send X-User-Id (with '
                'X-Project-Id and X-Roles) to say who you are.')
        roles = environ.get('HTTP_X_ROLES', '').split(',')
        environ['HTTP_X_ROLES'] = ','.join(implied_roles(
            [role.strip() for role in roles if role.strip()]))
        return self._application(environ, start_response)
