"""The decisions of authentication.py, in memory."""

from oslotest import base

from webdemo.api import authentication
from webdemo import exception


class TestRoles(base.BaseTestCase):

    def test_roles_imply_those_below_them(self):
        self.assertEqual(['admin', 'member', 'reader'],
                         authentication.implied_roles(['admin']))
        self.assertEqual(['member', 'reader'],
                         authentication.implied_roles(['member']))
        self.assertEqual(['reader'], authentication.implied_roles(['reader']))

    def test_other_roles_are_kept_and_imply_nothing(self):
        self.assertEqual(['auditor'],
                         authentication.implied_roles(['auditor']))
        self.assertEqual([], authentication.implied_roles([]))

    def test_assignments(self):
        self.assertEqual({'alice': ('p1', 'member'), 'bob': ('p2', 'admin')},
                         authentication.assignments(
                             ['alice:p1:member', 'bob:p2:admin']))


class TestAddress(base.BaseTestCase):

    def test_noauth2_is_served_on_loopback_only(self):
        for host in ('127.0.0.1', '127.0.0.2', '::1', 'localhost'):
            authentication.check_address('noauth2', host)
        for host in ('0.0.0.0', '::', '192.0.2.1', 'api.example.org'):
            self.assertRaises(exception.ConfigurationError,
                              authentication.check_address, 'noauth2', host)

    def test_other_strategies_serve_anywhere(self):
        for strategy in ('keystone', 'http_basic'):
            authentication.check_address(strategy, '0.0.0.0')
