"""A JSON body checked against its schema: quickly, and described.

The check is code fastjsonschema writes from a schema the first time it
is used, once per process: jsonschema walking the schema for every body
took half a millisecond of a ten-user page's answer (doc/source/
performance.rst). Only a body that fails it is walked by jsonschema,
which says where and why (errors.described reads its error); should
jsonschema find nothing wrong with a body the compiled check refused,
the body passes (unit/api/test_validation.py holds the two to agreeing).
"""

import fastjsonschema
import jsonschema

# id(schema): (schema, its check). The schema is kept, so that its id
# is never another's; and compared by identity, which a dict key
# (schemas are unhashable) cannot be.
_CHECKS = {}


def _check(schema):
    kept = _CHECKS.get(id(schema))
    if kept is None or kept[0] is not schema:
        kept = _CHECKS[id(schema)] = (schema, fastjsonschema.compile(schema))
    return kept[1]


def first_error(schema, body):
    """None if body matches schema; else jsonschema's first error."""
    check = _check(schema)
    try:
        check(body)
        return None
    except fastjsonschema.JsonSchemaException:
        return next(iter(jsonschema.Draft202012Validator(
            schema).iter_errors(body)), None)
