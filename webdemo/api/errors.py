"""Every error the API answers, as one JSON body.

``{"error": {"code": 404, "title": "Not Found", "message": "..."}}``:
the shape OpenStack services answer errors with, whatever went wrong.
"""

import http
import json

import flask
from werkzeug import exceptions

from webdemo.api import validation


# The longest piece of what a client sent that an error quotes back.
EXCERPT = 40
_JSON_TYPES = {'string': 'a string', 'object': 'an object',
               'integer': 'a whole number', 'null': 'null',
               'array': 'a list', 'boolean': 'true or false'}


def _excerpt(text):
    text = str(text)
    return repr(text if len(text) <= EXCERPT else text[:EXCERPT] + '...')


def _kinds(expected):
    names = expected if isinstance(expected, list) else [expected]
    return ' or '.join(_JSON_TYPES.get(name, name) for name in names)


def _why(error):
    """What is wrong with the value, in words that never quote it.

    jsonschema's own messages quote the value: a password, or ten
    megabytes, would come back in the error.
    """
    kind, limit = error.validator, error.validator_value
    if kind == 'type':
        return f'must be {_kinds(limit)}'
    if kind in ('minLength', 'maxLength'):
        return (f'must be {"at least" if kind == "minLength" else "at most"}'
                f' {limit} characters long')
    if kind == 'required':
        # The schema's own name: nothing the client sent.
        return error.message
    if kind == 'additionalProperties':
        unexpected = sorted(set(error.instance) - set(error.schema.get(
            'properties', {})))
        return ('unexpected field ' + ', '.join(map(_excerpt, unexpected)))
    if kind == 'minProperties':
        return 'must name at least one field'
    if kind == 'pattern':
        return error.schema.get('description', 'is not valid')
    return f'is not valid ({kind})'


def described(error):
    """A jsonschema error in words: the field and what is wrong with it."""
    field = '.'.join(str(part) for part in error.absolute_path) or 'body'
    return f'{field}: {_why(error)}'


def invalid(error):
    """A 400 for a body the schema refused, naming the field."""
    return exceptions.BadRequest(described(error))


def _sent():
    """The request's body as JSON: 415 unless sent so, 400 if malformed.

    A body over the size limit is a 413, a chunked one too: Werkzeug
    stops reading such a body at the limit without a word, and the cut
    body would pass for one that is not JSON.
    """
    request = flask.request
    if not request.is_json:
        raise exceptions.UnsupportedMediaType(
            'send the body as JSON, with Content-Type: application/json')
    limit = request.max_content_length
    if request.content_length is None:
        data = request.environ['wsgi.input'].read(limit + 1)
        if len(data) > limit:
            raise exceptions.RequestEntityTooLarge()
    else:
        data = request.get_data()
    try:
        return json.loads(data)
    except ValueError as error:
        # json's own words say where: 'Expecting value: line 1 column 9'.
        reason = getattr(error, 'msg', 'not JSON')
        where = (f' at line {error.lineno} column {error.colno}'
                 if hasattr(error, 'lineno') else '')
        raise exceptions.BadRequest(
            f'body: malformed JSON ({reason}{where})') from None
    except RecursionError:
        raise exceptions.BadRequest('body: nested too deeply') from None


def body(schema):
    """The request's JSON body; a 400 unless it matches schema."""
    sent = _sent()
    found = validation.first_error(schema, sent)
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
    body = json.dumps(_body(code, status.phrase, message)).encode()
    start_response(f'{code} {status.phrase}', [
        ('Content-Type', 'application/json'),
        ('Content-Length', str(len(body))), *headers])
    return [body]


def flask_answer(code, message, headers=()):
    """The JSON error body as a Flask response, from inside Flask."""
    return flask.jsonify(_body(code, http.HTTPStatus(code).phrase,
                               message)), code, list(headers)


def _body(code, title, message):
    """The one shape of every error the API answers."""
    return {'error': {'code': code, 'title': title, 'message': message}}


def register(app):
    """Answer every HTTP error of app with the JSON body."""
    @app.errorhandler(exceptions.HTTPException)
    def as_json(error):
        # Werkzeug's own headers but its HTML type: a 405's Allow.
        headers = [(name, value) for name, value in error.get_headers()
                   if name.lower() != 'content-type']
        return flask.jsonify(_body(error.code, error.name,
                                   error.description)), error.code, headers
