"""The policy rules in code, each checked both ways, in memory."""

import os

import fixtures
from oslo_config import cfg
from oslo_context import context as oslo_context
from oslotest import base

from webdemo import conf as webdemo_conf
from webdemo import policy

RESOURCES = ('user', 'account')
READS = ('list', 'get')
WRITES = ('create', 'update', 'delete')


def _context(roles, project='project-a', system_scope=None):
    return oslo_context.RequestContext(
        user_id='someone', project_id=project, roles=list(roles),
        system_scope=system_scope)


def _write(home, name, text):
    path = os.path.join(home, name)
    with open(path, 'w') as out:
        out.write(text)
    return path


class TestDefaults(base.BaseTestCase):

    # A policy file's text, for the enforcer to read; None for none.
    POLICY_FILE = None

    def setUp(self):
        super().setUp()
        home = self.useFixture(fixtures.TempDir()).path
        settings = ''
        if self.POLICY_FILE is not None:
            settings = (f'[oslo_policy]\npolicy_file = '
                        f'{_write(home, "policy.yaml", self.POLICY_FILE)}\n')
        conf = cfg.ConfigOpts()
        webdemo_conf.load(conf, ['--config-file',
                                 _write(home, 'w.conf', settings)])
        self.enforcer = policy.make_enforcer(conf)

    def allowed(self, rule, context, project='project-a'):
        try:
            policy.authorize(self.enforcer, rule,
                             {'project_id': project}, context)
        except policy.Denied as denied:
            self.assertEqual(rule, denied.rule)
            self.assertIn(rule, str(denied))
            return False
        return True

    def rules(self, actions):
        return [f'webdemo:{resource}:{action}'
                for resource in RESOURCES for action in actions]

    def test_a_reader_reads_its_project_only(self):
        reader = _context(['reader'])
        for rule in self.rules(READS):
            self.assertTrue(self.allowed(rule, reader), rule)
            self.assertFalse(self.allowed(rule, reader, 'project-b'), rule)
        for rule in self.rules(WRITES):
            self.assertFalse(self.allowed(rule, reader), rule)

    def test_a_member_writes_its_project_only(self):
        member = _context(['member', 'reader'])
        for rule in self.rules(READS + WRITES):
            self.assertTrue(self.allowed(rule, member), rule)
            self.assertFalse(self.allowed(rule, member, 'project-b'), rule)

    def test_an_admin_acts_in_every_project(self):
        admin = _context(['admin', 'member', 'reader'])
        for rule in self.rules(READS + WRITES):
            self.assertTrue(self.allowed(rule, admin, 'project-b'), rule)

    def test_no_role_may_do_nothing(self):
        for rule in self.rules(READS + WRITES):
            self.assertFalse(self.allowed(rule, _context([])), rule)

    def test_a_system_scoped_admin_is_refused(self):
        # enforce_scope: the rules are for project-scoped tokens.
        admin = _context(['admin'], project=None, system_scope='all')
        for rule in self.rules(READS):
            self.assertFalse(self.allowed(rule, admin), rule)

    def test_every_rule_is_documented_with_its_route(self):
        for name, rule in self.enforcer.registered_rules.items():
            if name.startswith('webdemo:'):
                self.assertEqual(['project'], rule.scope_types, name)
                self.assertTrue(rule.operations[0]['path'].startswith(
                    '/v1/'), name)


class TestPolicyFile(TestDefaults):
    """An operator's policy file overrides a default."""

    POLICY_FILE = '"webdemo:user:delete": "role:admin"\n'

    def test_a_member_writes_its_project_only(self):
        member = _context(['member', 'reader'])
        self.assertFalse(self.allowed('webdemo:user:delete', member))
        self.assertTrue(self.allowed('webdemo:user:update', member))
