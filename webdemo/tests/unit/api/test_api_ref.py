"""The API reference's pages (api-ref/source) held to the code: every
operation of the OpenAPI document has its section, each section's
parameters are the operation's, and each sample is valid against the
operation's schema. functional/test_api_ref.py replays the samples
against a live API."""

import jsonschema
from oslotest import base

from webdemo.api import openapi
from webdemo.tests import api_ref_source as source

# The answer header every section's Response table lists.
_ANSWERED = 'OpenStack-API-Version'


def _body_fields(schema):
    """A body's fields, as the reference lists them.

    Each top-level field, the fields of the object (or of the objects
    of the array) it holds, and theirs' links' fields.
    """
    names = set()
    for name, inner in (schema or {}).get('properties', {}).items():
        names.add(name)
        inner = inner.get('items', inner)
        names.update(inner.get('properties', {}))
        for deeper in inner.get('properties', {}).values():
            names.update(deeper.get('items', {}).get('properties', {}))
    return names


class TestApiReference(base.BaseTestCase):

    def setUp(self):
        super().setUp()
        self.document = openapi.document()
        self.exchanges = source.exchanges()

    def operation(self, exchange):
        return self.document['paths'][exchange.route][exchange.method.lower()]

    def test_every_operation_has_one_section(self):
        documented = sorted((exchange.route, exchange.method.lower())
                            for exchange in self.exchanges)
        operations = sorted((path, method)
                            for path, methods in self.document['paths'].items()
                            for method in methods)
        self.assertEqual(operations, documented)

    def test_each_example_sends_its_sections_method_and_status(self):
        for exchange in self.exchanges:
            self.assertEqual(exchange.method, exchange.sent, exchange.title)
            self.assertIn(str(exchange.status),
                          self.operation(exchange)['responses'],
                          exchange.title)
            self.assertLess(exchange.status, 300, exchange.title)

    def test_each_error_listed_is_one_the_operation_answers(self):
        for exchange in self.exchanges:
            answered = self.operation(exchange)['responses']
            self.assertTrue(exchange.errors, exchange.title)
            for code in exchange.errors:
                self.assertIn(str(code), answered, exchange.title)
            # A malformed or unserved microversion: on every route.
            self.assertLessEqual({400, 406}, set(exchange.errors),
                                 exchange.title)

    def test_the_request_table_lists_every_parameter_and_field(self):
        for exchange in self.exchanges:
            operation = self.operation(exchange)
            request = operation.get('requestBody', {}).get(
                'content', {}).get('application/json', {}).get('schema')
            wanted = ({p['name'] for p in operation.get('parameters', [])} |
                      _body_fields(request))
            self.assertEqual(wanted, set(exchange.request_parameters),
                             exchange.title)

    def test_the_response_table_lists_every_field(self):
        for exchange in self.exchanges:
            answer = self.operation(exchange)['responses'][
                str(exchange.status)]
            schema = answer.get('content', {}).get(
                'application/json', {}).get('schema')
            self.assertEqual(_body_fields(schema) | {_ANSWERED},
                             set(exchange.response_parameters),
                             exchange.title)

    def test_each_parameter_is_described_where_it_is(self):
        described = source.parameters()
        for exchange in self.exchanges:
            where = {p['name']: p['in']
                     for p in self.operation(exchange).get('parameters', [])}
            shown = {**exchange.request_parameters,
                     **exchange.response_parameters}
            for name, key in shown.items():
                self.assertIn(key, described, exchange.title)
                self.assertEqual(where.get(name, 'header' if name == _ANSWERED
                                           else 'body'),
                                 described[key]['in'], (exchange.title, name))

    def test_the_samples_are_valid_bodies(self):
        for exchange in self.exchanges:
            operation = self.operation(exchange)
            if 'requestBody' in operation:
                jsonschema.validate(exchange.request, operation[
                    'requestBody']['content']['application/json']['schema'])
            else:
                self.assertIsNone(exchange.request, exchange.title)
            answer = operation['responses'][str(exchange.status)]
            if 'content' in answer:
                jsonschema.validate(exchange.response, answer['content'][
                    'application/json']['schema'])
            else:
                self.assertIsNone(exchange.response, exchange.title)

    def test_every_sample_file_is_shown(self):
        shown = {sample for exchange in self.exchanges
                 for sample in exchange.samples}
        self.assertEqual(source.sample_files(), shown)
