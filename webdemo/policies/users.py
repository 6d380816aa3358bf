"""The rules of /v1/users."""

from webdemo.policies import base


def list_rules():
    return base.resource_rules('user', '/v1/users')
