"""The compiled check and jsonschema agree on every schema the API has:
on bodies shaped like the real ones, with the texts the schemas'
patterns and lengths are about, and on any JSON at all."""

import fastjsonschema
import hypothesis
from hypothesis import strategies as st
import jsonschema
from oslotest import base

from webdemo.api import schemas
from webdemo.api import validation

EVERY_SCHEMA = (list(schemas.REQUESTS.values()) +
                list(schemas.RESPONSES.values()) +
                list(schemas.VERSION_DOCUMENT.values()))
_TEXTS = st.text() | st.sampled_from([
    '', ' a', 'a ', 'a\n', '\u00a0x', 'x\ufeff', 'a\x00b', 'ab\u2028',
    'a' * 64, 'a' * 65, '\u00e9' * 64, 'http://x', 'ftp://x'])
_VALUES = (st.none() | st.booleans() | st.integers() | _TEXTS |
           st.floats(allow_nan=False, allow_infinity=False))
_FIELDS = st.sampled_from([
    'id', 'user_id', 'username', 'email', 'name', 'description',
    'password', 'project_id', 'links', 'rel', 'href', 'status',
    'min_version', 'max_version'])
_ITEMS = st.dictionaries(_FIELDS, _VALUES, max_size=7)
BODIES = (
    st.builds(lambda key, item: {key: item}, st.sampled_from(
        ['user', 'account', 'version']), _ITEMS) |
    st.builds(lambda key, items, links: {key: items, 'links': links},
              st.sampled_from(['users', 'accounts', 'versions']),
              st.lists(_ITEMS, max_size=3),
              st.lists(_ITEMS, max_size=2)) |
    st.recursive(_VALUES, lambda inner: st.lists(inner, max_size=3) |
                 st.dictionaries(_FIELDS, inner, max_size=3)))


# Each schema as both libraries read it, made once.
_BOTH = [(fastjsonschema.compile(schema),
          jsonschema.Draft202012Validator(schema)) for schema in EVERY_SCHEMA]


class TestAgreement(base.BaseTestCase):

    @hypothesis.settings(max_examples=1500, deadline=None, derandomize=True,
                         suppress_health_check=list(hypothesis.HealthCheck))
    @hypothesis.given(body=BODIES)
    def test_the_compiled_check_and_jsonschema_agree(self, body):
        for check, validator in _BOTH:
            try:
                check(body)
                compiled = True
            except fastjsonschema.JsonSchemaException:
                compiled = False
            self.assertEqual(validator.is_valid(body), compiled,
                             (validator.schema, body))

    def test_a_refused_body_is_described(self):
        found = validation.first_error(schemas.USER_CREATE,
                                       {'user': {'user_id': 'u'}})
        self.assertIn('username', found.message)

    def test_a_fitting_body_has_no_error(self):
        self.assertIsNone(validation.first_error(
            schemas.USER_CREATE, {'user': {'user_id': 'u', 'username': 'a'}}))
