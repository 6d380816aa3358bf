"""Each route's answer has a schema, and [api] response_validation's
three modes do what they say; Flask's test client, no database."""

import fixtures
import flask
from oslotest import base

from webdemo.api import errors
from webdemo.api import responses
from webdemo.api import schemas
from webdemo.api import v1_accounts
from webdemo.api import v1_users


class TestEveryRoute(base.BaseTestCase):

    def test_has_a_schema_or_answers_no_body(self):
        app = flask.Flask('routes')
        for blueprint in (v1_users.BLUEPRINT, v1_accounts.BLUEPRINT):
            app.register_blueprint(blueprint, url_prefix='/v1')
        endpoints = {rule.endpoint for rule in app.url_map.iter_rules()
                     if rule.endpoint != 'static'}
        self.assertEqual(endpoints, set(schemas.RESPONSES) |
                         schemas.BODILESS)


_GOOD = {'user': {'id': 1, 'user_id': 'u', 'username': 'alice',
                  'email': None, 'project_id': 'p'}}
_BAD = {'user': {'id': 1, 'user_id': 'u', 'username': 'alice',
                 'email': None, 'project_id': 'p',
                 'password_hash': 'not-for-anyone'}}


class TestModes(base.BaseTestCase):

    def answer(self, mode, body):
        app = flask.Flask('modes')
        errors.register(app)
        # The route under an endpoint the table knows.
        app.add_url_rule('/v1/users/1', 'users.show_user', lambda: body)
        responses.register(app, mode)
        logged = self.useFixture(fixtures.FakeLogger(
            'webdemo.api.responses'))
        answered = app.test_client().get('/v1/users/1')
        return answered.status_code, answered.get_json(), logged.output

    def test_a_matching_answer_goes_out_in_every_mode(self):
        for mode in ('error', 'warn', 'ignore'):
            self.assertEqual((200, _GOOD, ''), self.answer(mode, _GOOD))

    def test_error_makes_a_mismatch_a_500_and_says_where(self):
        status, body, logged = self.answer('error', _BAD)
        self.assertEqual(500, status)
        self.assertIn('did not match its schema', body['error']['message'])
        self.assertIn("GET /v1/users/1 does not match its schema: user: ",
                      logged)
        # The field's name, never its value.
        self.assertNotIn('not-for-anyone', logged)

    def test_warn_sends_it_and_says_so(self):
        status, body, logged = self.answer('warn', _BAD)
        self.assertEqual((200, _BAD), (status, body))
        self.assertIn('does not match its schema', logged)

    def test_options_and_head_are_not_checked(self):
        # They share the route's endpoint; Flask answers OPTIONS with no
        # body (a schemathesis run found it made a 500 under error).
        app = flask.Flask('options')
        app.add_url_rule('/v1/users/1', 'users.show_user', lambda: _GOOD)
        responses.register(app, 'error')
        client = app.test_client()
        self.assertEqual(200, client.options('/v1/users/1').status_code)
        self.assertEqual(200, client.head('/v1/users/1').status_code)

    def test_ignore_checks_nothing(self):
        self.assertEqual((200, _BAD, ''), self.answer('ignore', _BAD))
