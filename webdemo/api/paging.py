"""limit and marker, as every list resource reads them."""

import flask
from werkzeug import exceptions

DEFAULT_LIMIT = 100
MAX_LIMIT = 1000


# The largest id a row can have on every backend (a signed 64-bit
# integer): a larger one in a query is refused before the database
# overflows on it.
MAX_ID = 2 ** 63 - 1
# An item's route part. Not int(max=...): Werkzeug then answers 405,
# not 404, to a PATCH or DELETE of a larger id (found by schemathesis).
ITEM = '<int:key>'


def no_such_item(endpoint, values):
    """A Flask url_value_preprocessor: an id no row can have is a 404.

    Raised before the view, so that no query carries it.
    """
    if values and values.get('key', 0) > MAX_ID:
        # 'users.show_user': a user.
        kind = endpoint.split('.')[0].removesuffix('s')
        raise exceptions.NotFound(f'{kind} {values["key"]} not found')


def whole_number(value):
    """value as an int if it is written in ASCII digits, else None.

    str.isdigit accepts '²', which int() refuses.
    """
    if value and value.isascii() and value.isdigit():
        return int(value)
    return None


def limit():
    """The limit query parameter, checked."""
    value = whole_number(flask.request.args.get('limit', str(DEFAULT_LIMIT)))
    if value is None or not 0 < value <= MAX_LIMIT:
        raise exceptions.BadRequest(
            f'limit: must be a whole number from 1 to {MAX_LIMIT}')
    return value


def marker():
    """The marker query parameter (an id), checked, or None."""
    if 'marker' not in flask.request.args:
        return None
    value = whole_number(flask.request.args['marker'])
    if value is None or value > MAX_ID:
        raise exceptions.BadRequest('marker: must be the id of an item')
    return value


def listing(name, endpoint, fetch):
    """{name: a page, links: [next]} for fetch(limit, marker)."""
    size = limit()
    page = fetch(size, marker())
    links = []
    if len(page) == size:
        # Absolute, as the client reached us: the proxy's scheme and
        # host (HTTPProxyToWSGI) and any path prefix.
        links.append({'rel': 'next', 'href': flask.url_for(
            endpoint, limit=size, marker=page[-1]['id'], _external=True)})
    return {name: page, 'links': links}
