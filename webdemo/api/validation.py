"""A JSON body checked against its schema: quickly, and described.

The check is code fastjsonschema writes from a schema the first time it
is used, once per process: jsonschema walking the schema for every body
took half a millisecond of a ten-user page's answer (doc/source/
performance.rst). Only a body that fails it is walked by jsonschema,
which says where and why (errors.described reads its error); where the
two disagree, jsonschema rules.
"""

import fastjsonschema
import jsonschema

# By the schema's identity: the schemas are schemas.py's, made once.
_CHECKS = {}


def first_error(schema, body):
    """None if body matches schema; else jsonschema's first error."""
    check = _CHECKS.get(id(schema))
    if check is None:
        check = _CHECKS[id(schema)] = fastjsonschema.compile(schema)
    try:
        check(body)
        return None
    except fastjsonschema.JsonSchemaException:
        return next(iter(jsonschema.Draft202012Validator(
            schema).iter_errors(body)), None)
