"""webdemo's policy rules, in code (oslo.policy).

Every API action has one rule here, with the secure-RBAC defaults
OpenStack services share: a project's reader reads what belongs to its
project, its member also writes it, an admin acts in every project.
Operators override any rule in a policy file; ``tox -e genpolicy``
writes the sample (etc/webdemo/policy.yaml.sample), and
``oslopolicy-policy-generator --namespace webdemo`` prints the rules in
force.
"""

import itertools

from webdemo.policies import accounts
from webdemo.policies import base
from webdemo.policies import users


def list_rules():
    """Every rule: the oslo.policy.policies entry point's answer."""
    return list(itertools.chain(base.list_rules(), users.list_rules(),
                                accounts.list_rules()))
