"""/v1/accounts: list, show, create, update, delete.

A password is accepted on create and update, stored only as a salted
hash (webdemo/password.py), and never returned.
"""

import flask

from webdemo.api import authorization
from webdemo.api import errors
from webdemo.api import paging
from webdemo.api import schemas

BLUEPRINT = flask.Blueprint('accounts', __name__)


def _accounts():
    return flask.current_app.config['webdemo.accounts']


def _fields(schema):
    fields = dict(errors.body(schema)['account'])
    if 'password' in fields:
        fields['plain'] = fields.pop('password')
    return fields


@BLUEPRINT.get('/accounts')
def list_accounts():
    authorization.check('webdemo:account:list')
    return paging.listing('accounts', 'accounts.list_accounts',
                          _accounts().page)


@BLUEPRINT.get('/accounts/<int:key>')
def show_account(key):
    authorization.check('webdemo:account:get')
    return errors.shown('account', key, _accounts().by_id(key))


@BLUEPRINT.post('/accounts')
def create_account():
    authorization.check('webdemo:account:create')
    new = _accounts().create(**_fields(schemas.ACCOUNT_CREATE))
    return errors.shown('account', new, _accounts().by_id(new)), 201


@BLUEPRINT.patch('/accounts/<int:key>')
def update_account(key):
    authorization.check('webdemo:account:update')
    fields = _fields(schemas.ACCOUNT_UPDATE)
    errors.existed('account', key, _accounts().update(key, **fields))
    return errors.shown('account', key, _accounts().by_id(key))


@BLUEPRINT.delete('/accounts/<int:key>')
def delete_account(key):
    authorization.check('webdemo:account:delete')
    errors.existed('account', key, _accounts().delete(key))
    return '', 204
