"""api-ref/openapi.json is what the code generates, and valid OpenAPI."""

import json

from openapi_spec_validator import validate
from oslotest import base

from webdemo.api import openapi
from webdemo.api import schemas


class TestDocument(base.BaseTestCase):

    def test_the_kept_document_is_the_generated_one(self):
        with open(openapi.PATH) as kept:
            self.assertEqual(openapi.text(), kept.read(), (
                'api-ref/openapi.json differs from what the code says: '
                'write it again with python -m webdemo.api.openapi'))

    def test_it_is_valid_openapi(self):
        validate(json.loads(openapi.text()))

    def test_every_route_and_its_bodies(self):
        paths = openapi.document()['paths']
        self.assertEqual({'/', '/v1', '/v1/users', '/v1/users/{key}',
                          '/v1/accounts', '/v1/accounts/{key}'}, set(paths))
        self.assertEqual({'get', 'patch', 'delete'},
                         set(paths['/v1/users/{key}']))
        create = paths['/v1/users']['post']
        self.assertEqual(schemas.USER_CREATE, create['requestBody'][
            'content']['application/json']['schema'])
        self.assertEqual(schemas.USER_SHOWN, create['responses']['201'][
            'content']['application/json']['schema'])
        self.assertNotIn('content',
                         paths['/v1/users/{key}']['delete']['responses'][
                             '204'])
        # The version document is the one thing open to anyone.
        self.assertEqual([], paths['/']['get']['security'])
