"""The rules of /v1/accounts."""

from webdemo.policies import base


def list_rules():
    return base.resource_rules('account', '/v1/accounts')
