"""What a successful answer carries, and the check of its shape.

Each route's answer has a schema (schemas.py); [api] response_validation
says what a body that does not match it does: error (a 500, as a server
bug; the tests run so), warn (a line in the log, the answer sent), or
ignore.

A body is checked by validation.py (compiled once, described by
jsonschema).
"""

import flask
from oslo_log import log as logging

from webdemo.api import errors
from webdemo.api import schemas
from webdemo.api import validation

LOG = logging.getLogger(__name__)


def no_content():
    """204, with no body and so no Content-Type (Flask would say HTML)."""
    response = flask.Response(status=204)
    del response.headers['Content-Type']
    return response


def register(app, mode):
    """Check app's answers against their schemas; mode says what then.

    :param mode: [api] response_validation: error, warn or ignore
    """
    if mode == 'ignore':
        return

    @app.after_request
    def checked(response):
        schema = schemas.RESPONSES.get(flask.request.endpoint)
        # OPTIONS and HEAD share the route's endpoint, not its body.
        if (schema is None or flask.request.method in ('OPTIONS', 'HEAD')
                or not 200 <= response.status_code < 300):
            return response
        found = validation.first_error(schema,
                                       response.get_json(silent=True))
        if found is None:
            return response
        # In words that never quote the value: it is the users' data.
        (LOG.error if mode == 'error' else LOG.warning)(
            'The answer to %s %s does not match its schema: %s',
            flask.request.method, flask.request.path,
            errors.described(found))
        if mode != 'error':
            return response
        return flask.make_response(errors.flask_answer(
            500, "the server's answer did not match its schema; the "
            'service\'s log says where: report it'))
