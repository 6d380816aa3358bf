"""/v1/accounts: list, show, create, update, delete.

A password is accepted on create and update, stored only as a salted
hash (webdemo/password.py), and never returned. Each account belongs to
the project of the caller who created it, as users do (v1_users.py).
"""

import functools

import flask

from webdemo.api import authorization
from webdemo.api import errors
from webdemo.api import paging
from webdemo.api import responses
from webdemo.api import schemas

BLUEPRINT = flask.Blueprint('accounts', __name__)


def _accounts():
    return flask.current_app.config['webdemo.accounts']


def _fields(schema):
    fields = dict(errors.body(schema)['account'])
    if 'password' in fields:
        fields['plain'] = fields.pop('password')
    return fields


def _found(rule, key):
    """The account key, if the caller may perform rule on it."""
    return errors.shown('account', key, authorization.visible(
        rule, _accounts().by_id(key)))


@BLUEPRINT.get('/accounts')
def list_accounts():
    authorization.check('webdemo:account:list')
    project = authorization.listed_project(
        'webdemo:account:list:all_projects')
    return paging.listing('accounts', 'accounts.list_accounts',
                          functools.partial(_accounts().page,
                                            project_id=project))


@BLUEPRINT.get('/accounts/' + paging.ITEM)
def show_account(key):
    return _found('webdemo:account:get', key)


@BLUEPRINT.post('/accounts')
def create_account():
    authorization.check('webdemo:account:create')
    project = authorization.own_project()
    new = _accounts().create(project, **_fields(schemas.ACCOUNT_CREATE))
    return {'account': new}, 201


@BLUEPRINT.patch('/accounts/' + paging.ITEM)
def update_account(key):
    _found('webdemo:account:update', key)
    fields = _fields(schemas.ACCOUNT_UPDATE)
    errors.existed('account', key, _accounts().update(key, **fields))
    return errors.shown('account', key, _accounts().by_id(key))


@BLUEPRINT.delete('/accounts/' + paging.ITEM)
def delete_account(key):
    _found('webdemo:account:delete', key)
    errors.existed('account', key, _accounts().delete(key))
    return responses.no_content()
