"""What a successful answer carries, and the check of its shape.

Each route's answer has a schema (schemas.py); [api] response_validation
says what a body that does not match it does: error (a 500, as a server
bug; the tests run so), warn (a line in the log, the answer sent), or
ignore.

A body is checked by code fastjsonschema wrote from its schema when the
application was built: jsonschema walking the schema for each answer
took half a millisecond of a ten-user page's (doc/source/
performance.rst). jsonschema then describes a mismatch, as it
describes a request's.
"""

import fastjsonschema
import flask
import jsonschema
from oslo_log import log as logging

from webdemo.api import errors
from webdemo.api import schemas

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
    fits = {endpoint: fastjsonschema.compile(schema)
            for endpoint, schema in schemas.RESPONSES.items()}

    @app.after_request
    def checked(response):
        fit = fits.get(flask.request.endpoint)
        # OPTIONS and HEAD share the route's endpoint, not its body.
        if (fit is None or flask.request.method in ('OPTIONS', 'HEAD')
                or not 200 <= response.status_code < 300):
            return response
        body = response.get_json(silent=True)
        try:
            fit(body)
            return response
        except fastjsonschema.JsonSchemaException:
            found = _mismatch(flask.request.endpoint, body)
        if found is None:
            # The two disagree: jsonschema, which checks requests, rules.
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


def _mismatch(endpoint, body):
    """jsonschema's first error for body, or None if it finds none."""
    return next(iter(jsonschema.Draft202012Validator(
        schemas.RESPONSES[endpoint]).iter_errors(body)), None)
