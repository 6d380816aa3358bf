"""Every error the API answers, as one JSON body.

``{"error": {"code": 404, "title": "Not Found", "message": "..."}}``:
the shape OpenStack services answer errors with, whatever went wrong.
"""

import http
import json

import flask
import jsonschema
from werkzeug import exceptions


def invalid(error):
    """A 400 for a body the schema refused, naming the field."""
    field = '.'.join(str(part) for part in error.absolute_path) or 'body'
    return exceptions.BadRequest(f'{field}: {error.message}')


def body(schema):
    """The request's JSON body; a 400 unless it matches schema."""
    sent = flask.request.get_json(silent=True)
    found = next(iter(jsonschema.Draft202012Validator(schema).iter_errors(
        sent)), None)
    if found is not None:
        raise invalid(found)
    return sent


def _not_found(kind, key):
    return exceptions.NotFound(f'{kind} {key} not found')


def shown(kind, key, item):
    """{kind: item}, or a 404 naming kind and key when item is None."""
    if item is None:
        raise _not_found(kind, key)
    return {kind: item}


def existed(kind, key, found):
    """A 404 naming kind and key unless found (an update or delete hit)."""
    if not found:
        raise _not_found(kind, key)


def answer(start_response, code, message, headers=()):
    """Answer a WSGI request with the JSON error body, from middleware.

    For what answers before Flask does (authentication, the schema
    guard): the same shape, written without Flask.
    """
    status = http.HTTPStatus(code)
    body = json.dumps({'error': {
        'code': code, 'title': status.phrase, 'message': message}}).encode()
    start_response(f'{code} {status.phrase}', [
        ('Content-Type', 'application/json'),
        ('Content-Length', str(len(body))), *headers])
    return [body]


def register(app):
    """Answer every HTTP error of app with the JSON body."""
    @app.errorhandler(exceptions.HTTPException)
    def as_json(error):
        return flask.jsonify(error={
            'code': error.code, 'title': error.name,
            'message': error.description}), error.code
