"""The API's versions: the version document, and microversions.

One major version, v1, whose shapes change only by microversion, as
Placement's do: a client asks for one with ``OpenStack-API-Version:
webdemo X.Y`` (or ``latest``), gets the oldest without the header, and
every answer says which it got (and ``Vary`` on the header, for caches).
One out of range is a 406, a malformed header a 400, in the API's error
shape. microversion_parse reads the header and picks the version.

The version document, at ``/`` and ``/v1``, names them: as every
OpenStack API's, it is served without authentication, since a client
reads it to learn how to talk to the API before it has a token. It
reads no database and says nothing about the deployment but its URL.
"""

import json
import wsgiref.util

import microversion_parse

from webdemo.api import errors

SERVICE_TYPE = 'webdemo'
# Every microversion, oldest first. A change to a request's or a
# response's shape is a new one, at the end: a client that asks for an
# older one keeps the shape it was written for.
VERSIONS = ('1.0',)
# Where a request's microversion waits for the application.
ENVIRON_KEY = f'{SERVICE_TYPE}.microversion'
HEADER = 'OpenStack-API-Version'


class Microversions:
    """WSGI middleware: the microversion asked for, checked and said."""

    def __init__(self, application):
        self._application = application

    def __call__(self, environ, start_response):
        headers = microversion_parse.headers_from_wsgi_environ(environ)
        vary = [('Vary', HEADER)]
        try:
            version = microversion_parse.extract_version(
                headers, SERVICE_TYPE, VERSIONS)
        except ValueError:
            return errors.answer(start_response, 406, (
                f'{HEADER}: this API serves microversions {VERSIONS[0]} '
                f'to {VERSIONS[-1]} of {SERVICE_TYPE}: ask for one of them, '
                f'or for "{SERVICE_TYPE} latest"'), vary)
        except TypeError:
            return errors.answer(start_response, 400, (
                f'{HEADER}: not a version: write it as "{SERVICE_TYPE} '
                f'{VERSIONS[-1]}" or "{SERVICE_TYPE} latest"'), vary)
        environ[ENVIRON_KEY] = version
        said = [(HEADER, f'{SERVICE_TYPE} {version}'), *vary]

        def start(status, response_headers, exc_info=None):
            return start_response(status, [*response_headers, *said],
                                  exc_info)

        return self._application(environ, start)


class VersionDocument:
    """WSGI middleware answering GET / and GET /v1 before authentication.

    Any other path goes on to application.
    """

    def __init__(self, application):
        self._application = application

    def __call__(self, environ, start_response):
        path = environ.get('PATH_INFO', '').rstrip('/')
        if path not in ('', '/v1'):
            return self._application(environ, start_response)
        if environ['REQUEST_METHOD'] not in ('GET', 'HEAD'):
            return errors.answer(
                start_response, 405, f'{path or "/"} is only read: use GET',
                [('Allow', 'GET, HEAD')])
        base = wsgiref.util.application_uri(environ).rstrip('/')
        document = ({'versions': [_v1(base)]} if path == ''
                    else {'version': _v1(base)})
        body = json.dumps(document).encode()
        start_response('200 OK', [('Content-Type', 'application/json'),
                                  ('Content-Length', str(len(body)))])
        return [] if environ['REQUEST_METHOD'] == 'HEAD' else [body]


def _v1(base):
    return {'id': 'v1.0', 'status': 'CURRENT',
            'min_version': VERSIONS[0], 'max_version': VERSIONS[-1],
            'links': [{'rel': 'self', 'href': f'{base}/v1'}]}
