"""Every error the API answers, as one JSON body.

``{"error": {"code": 404, "title": "Not Found", "message": "..."}}``:
the shape OpenStack services answer errors with, whatever went wrong.
"""

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


def register(app):
    """Answer every HTTP error of app with the JSON body."""
    @app.errorhandler(exceptions.HTTPException)
    def as_json(error):
        return flask.jsonify(error={
            'code': error.code, 'title': error.name,
            'message': error.description}), error.code
