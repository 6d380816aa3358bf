"""The JSON bodies the API accepts and answers, as jsonschema documents.

Requests are checked against theirs before anything is done
(errors.body); responses against theirs as they leave
(responses.register, [api] response_validation).
"""


def _wrapped(name, properties, required=()):
    """{name: {properties...}}, nothing else accepted."""
    inner = {'type': 'object', 'properties': properties,
             'additionalProperties': False}
    if required:
        inner['required'] = list(required)
    else:
        inner['minProperties'] = 1
    return {'type': 'object', 'properties': {name: inner},
            'required': [name], 'additionalProperties': False}


# PostgreSQL cannot store a NUL character in a text column.
_NO_NUL = '^[^\x00]*$'
# A username is compared by its code points on every backend (contract
# a392e388916b), once in Unicode NFC (v1_users.py): spaces around it
# would make names that look the same differ, and MySQL ignores
# trailing ones.
# "Space" is written out: Python's \s (which the server's check uses)
# and ECMAScript's (which clients of api-ref/openapi.json use) differ on
# U+001C..U+001F and U+FEFF, so the pattern names what either calls one.
_SPACE = ('[\\t-\\r\\u001c-\\u0020\\u0085\\u00a0\\u1680\\u2000-\\u200a'
          '\\u2028\\u2029\\u202f\\u205f\\u3000\\ufeff]')
_NAME = f'^(?!{_SPACE})(?![\\s\\S]*{_SPACE}$)[^\x00]*$'


def _text(most, nullable=False, pattern=_NO_NUL,
          words='must not contain NUL characters'):
    kind = ['string', 'null'] if nullable else 'string'
    # errors.invalid says the description when the pattern refuses.
    return {'type': kind, 'maxLength': most, 'pattern': pattern,
            'description': words, **({} if nullable else {'minLength': 1})}


_USER = {'user_id': _text(255),
         'username': _text(64, pattern=_NAME, words=(
             'must not begin or end with a space, nor contain NUL '
             'characters')),
         'email': _text(255, nullable=True)}
USER_CREATE = _wrapped('user', _USER, required=('user_id', 'username'))
USER_UPDATE = _wrapped('user', {name: _USER[name]
                                for name in ('username', 'email')})

_ACCOUNT = {'name': _text(50), 'description': _text(200, nullable=True),
            'email': _text(255, nullable=True),
            'password': {'type': 'string', 'minLength': 8,
                         'maxLength': 1024, 'pattern': _NO_NUL,
                         'description': 'must not contain NUL characters'}}
ACCOUNT_CREATE = _wrapped('account', _ACCOUNT, required=('name',))
ACCOUNT_UPDATE = _wrapped('account', _ACCOUNT)


# What the API answers with. Every field is always there.
def _item(properties):
    return {'type': 'object', 'properties': properties,
            'required': list(properties), 'additionalProperties': False}


_ID = {'type': 'integer', 'minimum': 1}
_STRING = {'type': 'string'}
_OPTIONAL = {'type': ['string', 'null']}
# Null for a row written before projects, while [api] default_project_id
# is unset (rolling-upgrades.rst).
_PROJECT = _OPTIONAL
_NEXT = {'type': 'array', 'maxItems': 1, 'items': _item({
    'rel': {'const': 'next'}, 'href': {'type': 'string',
                                       'pattern': '^https?://'}})}

USER = _item({'id': _ID, 'user_id': _STRING, 'username': _STRING,
              'email': _OPTIONAL, 'project_id': _PROJECT})
USER_SHOWN = _item({'user': USER})
USERS_LISTED = _item({'users': {'type': 'array', 'items': USER},
                      'links': _NEXT})
# No password, ever: not even its hash.
ACCOUNT = _item({'id': _ID, 'name': _STRING, 'description': _OPTIONAL,
                 'email': _OPTIONAL, 'project_id': _PROJECT})
ACCOUNT_SHOWN = _item({'account': ACCOUNT})
ACCOUNTS_LISTED = _item({'accounts': {'type': 'array', 'items': ACCOUNT},
                         'links': _NEXT})

_VERSION = _item({'id': _STRING, 'status': _STRING,
                  'min_version': _STRING, 'max_version': _STRING,
                  'links': {'type': 'array', 'items': _item({
                      'rel': _STRING, 'href': _STRING})}})
# GET / and GET /v1 (versions.py).
VERSION_DOCUMENT = {
    'versions': _item({'versions': {'type': 'array', 'items': _VERSION}}),
    'version': _item({'version': _VERSION}),
}

# Each route's bodies, by Flask endpoint: what it accepts, what it
# answers (responses.py checks, openapi.py describes). A route that
# answers a body and is in neither RESPONSES nor BODILESS fails the unit
# tests.
REQUESTS = {
    'users.create_user': USER_CREATE,
    'users.update_user': USER_UPDATE,
    'accounts.create_account': ACCOUNT_CREATE,
    'accounts.update_account': ACCOUNT_UPDATE,
}
RESPONSES = {
    'users.list_users': USERS_LISTED,
    'users.show_user': USER_SHOWN,
    'users.create_user': USER_SHOWN,
    'users.update_user': USER_SHOWN,
    'accounts.list_accounts': ACCOUNTS_LISTED,
    'accounts.show_account': ACCOUNT_SHOWN,
    'accounts.create_account': ACCOUNT_SHOWN,
    'accounts.update_account': ACCOUNT_SHOWN,
}
BODILESS = frozenset({'users.delete_user', 'accounts.delete_account'})
