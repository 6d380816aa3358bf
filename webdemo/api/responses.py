"""What a successful answer carries beyond its JSON body."""

import flask


def no_content():
    """204, with no body and so no Content-Type (Flask would say HTML)."""
    response = flask.Response(status=204)
    del response.headers['Content-Type']
    return response
