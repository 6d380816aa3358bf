"""The JSON request bodies the API accepts, as jsonschema documents."""

USER_CREATE = {
    'type': 'object',
    'properties': {
        'user': {
            'type': 'object',
            'properties': {
                'user_id': {'type': 'string', 'minLength': 1,
                            'maxLength': 255},
                'username': {'type': 'string', 'minLength': 1,
                             'maxLength': 64},
                'email': {'type': ['string', 'null'], 'maxLength': 255},
            },
            'required': ['user_id', 'username'],
            'additionalProperties': False,
        },
    },
    'required': ['user'],
    'additionalProperties': False,
}
