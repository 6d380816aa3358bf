"""The API described as OpenAPI 3.1, generated from the code.

Never written by hand: every route comes from the blueprints, every
body from schemas.py, the error shape from errors.py's, the versions
from versions.py. api-ref/openapi.json is this document, written by
``python -m webdemo.api.openapi``; a unit test fails when the two
differ, and when the document is not valid OpenAPI.
"""

import json
import os
import re
import sys

import flask

from webdemo.api import paging
from webdemo.api import schemas
from webdemo.api import v1_accounts
from webdemo.api import v1_users
from webdemo.api import versions

PATH = os.path.join(os.path.dirname(__file__), '..', '..', 'api-ref',
                    'openapi.json')

# What each error says, in the shape errors.py gives every one.
_ERROR = {'type': 'object', 'required': ['error'], 'properties': {
    'error': {'type': 'object', 'required': ['code', 'title', 'message'],
              'properties': {'code': {'type': 'integer'},
                             'title': {'type': 'string'},
                             'message': {'type': 'string'}}}}}
_ERRORS = {'400': 'the request or a field of its body is not valid',
           '401': 'no valid credentials', '403': 'not allowed by policy',
           '404': 'no such item, or not the caller\'s project\'s',
           '406': 'a microversion this API does not serve',
           '409': 'the username is taken', '413': 'the body is too large',
           '415': 'the body is not sent as application/json',
           '503': 'the database schema is one this release cannot serve'}
_LIST_PARAMETERS = [
    {'name': 'limit', 'in': 'query', 'required': False,
     'schema': {'type': 'integer', 'minimum': 1, 'maximum': 1000}},
    # 0: from the first item (no id is lower).
    {'name': 'marker', 'in': 'query', 'required': False,
     'schema': {'type': 'integer', 'minimum': 0,
                'maximum': paging.MAX_ID}},
]
_ITEM = re.compile(r'<int(?:\([^)]*\))?:(\w+)>')
_SUCCESS = {'GET': '200', 'POST': '201', 'PATCH': '200', 'DELETE': '204'}


def document():
    """The OpenAPI document, as a dict."""
    app = flask.Flask('openapi')
    for blueprint in (v1_users.BLUEPRINT, v1_accounts.BLUEPRINT):
        app.register_blueprint(blueprint, url_prefix='/v1')
    paths = {'/': {'get': _version_document('versions')},
             '/v1': {'get': _version_document('version')}}
    for rule in sorted(app.url_map.iter_rules(), key=lambda r: r.rule):
        if rule.endpoint == 'static':
            continue
        path = _ITEM.sub(r'{\1}', rule.rule)
        for method in sorted(rule.methods - {'HEAD', 'OPTIONS'}):
            paths.setdefault(path, {})[method.lower()] = _operation(
                rule, method)
    return {
        'openapi': '3.1.0',
        'info': {'title': 'webdemo', 'version': versions.VERSIONS[-1],
                 'description': 'Users and accounts, each in the project '
                                'of the caller who created it.'},
        'paths': paths,
        'components': {
            'schemas': {'Error': _ERROR},
            'securitySchemes': {
                'keystone': {'type': 'apiKey', 'in': 'header',
                             'name': 'X-Auth-Token'},
                'http_basic': {'type': 'http', 'scheme': 'basic'}}},
        'security': [{'keystone': []}, {'http_basic': []}],
    }


def _operation(rule, method):
    operation = {'operationId': rule.endpoint,
                 'parameters': _parameters(rule, method),
                 'responses': _responses(rule.endpoint, method)}
    request = schemas.REQUESTS.get(rule.endpoint)
    if request is not None:
        operation['requestBody'] = {'required': True, 'content': {
            'application/json': {'schema': request}}}
    return operation


def _parameters(rule, method):
    found = [{'name': name, 'in': 'path', 'required': True,
              'schema': {'type': 'integer', 'minimum': 1,
                         'maximum': paging.MAX_ID}}
             for name in _ITEM.findall(rule.rule)]
    if method == 'GET' and not found:
        found += _LIST_PARAMETERS
    return found + [_microversion()]


def _microversion():
    # Any text: entries for other services are allowed and passed over.
    return {'name': versions.HEADER, 'in': 'header', 'required': False,
            'schema': {'type': 'string'},
            'description': (
                f'"{versions.SERVICE_TYPE} X.Y" (from '
                f'{versions.VERSIONS[0]} to {versions.VERSIONS[-1]}) or '
                f'"{versions.SERVICE_TYPE} latest"; without it, '
                f'{versions.VERSIONS[0]}')}


def _responses(endpoint, method):
    code = _SUCCESS[method]
    body = schemas.RESPONSES.get(endpoint)
    answers = {code: {'description': 'done'} if body is None else {
        'description': 'done',
        'content': {'application/json': {'schema': body}}}}
    return {**answers, **_errors(_ERRORS)}


def _errors(statuses):
    error = {'application/json': {
        'schema': {'$ref': '#/components/schemas/Error'}}}
    return {status: {'description': _ERRORS[status], 'content': error}
            for status in statuses}


def _version_document(key):
    # Versions.Microversions reads the header before the document.
    return {'operationId': f'version_document_{key}', 'security': [],
            'parameters': [_microversion()],
            'responses': {'200': {
                'description': 'the API\'s versions, for any caller',
                'content': {'application/json': {
                    'schema': schemas.VERSION_DOCUMENT[key]}}},
                **_errors(('400', '406'))}}


def text():
    """document() as the repository keeps it."""
    return json.dumps(document(), indent=2, sort_keys=True) + '\n'


if __name__ == '__main__':
    with open(sys.argv[1] if len(sys.argv) > 1 else PATH, 'w') as out:
        out.write(text())
