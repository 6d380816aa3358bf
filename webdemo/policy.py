"""The policy enforcer: webdemo's rules (policies/) over the policy file.

One Enforcer per process, made from the service's own ConfigOpts. Scope
and the new defaults are enforced: a system-scoped token cannot act on a
project's rows, and the deprecated-rule fallbacks of older releases do
not apply (webdemo has none).
"""

from oslo_config import cfg
from oslo_policy import opts
from oslo_policy import policy

from webdemo import conf as webdemo_conf
from webdemo import policies


class Denied(Exception):
    """The policy refused an action; the message names its rule."""

    def __init__(self, rule):
        super().__init__(f'policy does not allow {rule} to be performed '
                         f'by this user; ask an admin for a role that '
                         f'grants it.')
        self.rule = rule


def make_enforcer(conf):
    """An Enforcer for conf, webdemo's rules registered as defaults."""
    opts.set_defaults(conf, enforce_scope=True, enforce_new_defaults=True)
    enforcer = policy.Enforcer(conf)
    enforcer.register_defaults(policies.list_rules())
    return enforcer


def authorize(enforcer, rule, target, context):
    """Raise Denied unless context may perform rule on target.

    :param target: the target's attributes the rule reads (project_id)
    :param context: an oslo.context RequestContext
    """
    try:
        enforcer.authorize(rule, target, context, do_raise=True)
    except (policy.PolicyNotAuthorized, policy.InvalidScope):
        raise Denied(rule) from None


def get_enforcer():
    """The oslo.policy.enforcer entry point (oslopolicy-policy-generator).

    It reads webdemo's configuration as the service does (its default
    files and OS_* variables), so the rules it prints are those in force.
    """
    conf = cfg.ConfigOpts()
    webdemo_conf.load(conf)
    enforcer = make_enforcer(conf)
    enforcer.load_rules()
    return enforcer
