"""limit and marker, as every list resource reads them."""

import flask
from werkzeug import exceptions

DEFAULT_LIMIT = 100
MAX_LIMIT = 1000


def limit():
    """The limit query parameter, checked."""
    value = flask.request.args.get('limit', str(DEFAULT_LIMIT))
    if not value.isdigit() or not 0 < int(value) <= MAX_LIMIT:
        raise exceptions.BadRequest(
            f'limit: must be a whole number from 1 to {MAX_LIMIT}')
    return int(value)


def marker():
    """The marker query parameter (an id), checked, or None."""
    value = flask.request.args.get('marker')
    if value is not None and not value.isdigit():
        raise exceptions.BadRequest('marker: must be the id of an item')
    return None if value is None else int(value)


def listing(name, endpoint, fetch):
    """{name: a page, links: [next]} for fetch(limit, marker)."""
    size = limit()
    page = fetch(size, marker())
    links = []
    if len(page) == size:
        links.append({'rel': 'next', 'href': flask.url_for(
            endpoint, limit=size, marker=page[-1]['id'])})
    return {name: page, 'links': links}
