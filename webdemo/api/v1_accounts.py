"""/v1/accounts: list, show, create, update, delete.

A password is accepted on create and update, stored only as a salted
hash (webdemo/password.py), and never returned.
"""

import flask
from werkzeug import exceptions

from webdemo.api import errors
from webdemo.api import paging
from webdemo.api import schemas

BLUEPRINT = flask.Blueprint('accounts', __name__)


def _accounts():
    return flask.current_app.config['webdemo.accounts']


def _found(account, key):
    if account is None:
        raise exceptions.NotFound(f'account {key} not found')
    return {'account': account}


def _fields(schema):
    fields = dict(errors.body(schema)['account'])
    if 'password' in fields:
        fields['plain'] = fields.pop('password')
    return fields


@BLUEPRINT.get('/accounts')
def list_accounts():
    return paging.listing('accounts', 'accounts.list_accounts',
                          _accounts().page)


@BLUEPRINT.get('/accounts/<int:key>')
def show_account(key):
    return _found(_accounts().by_id(key), key)


@BLUEPRINT.post('/accounts')
def create_account():
    new = _accounts().create(**_fields(schemas.ACCOUNT_CREATE))
    return _found(_accounts().by_id(new), new), 201


@BLUEPRINT.patch('/accounts/<int:key>')
def update_account(key):
    if not _accounts().update(key, **_fields(schemas.ACCOUNT_UPDATE)):
        raise exceptions.NotFound(f'account {key} not found')
    return _found(_accounts().by_id(key), key)


@BLUEPRINT.delete('/accounts/<int:key>')
def delete_account(key):
    if not _accounts().delete(key):
        raise exceptions.NotFound(f'account {key} not found')
    return '', 204
