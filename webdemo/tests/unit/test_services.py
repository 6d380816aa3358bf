"""Which registered services block a contract: in memory."""

from oslotest import base

from webdemo.db import phases
from webdemo.db import services
from webdemo import exception


def _service(age, cannot_survive=('c1',), stale_after=25):
    return services.Service('id', 'ctl-1', 42, '1.0', cannot_survive,
                            stale_after, age)


class TestBlocking(base.BaseTestCase):

    def test_a_live_service_that_cannot_survive_blocks(self):
        live = _service(age=3)
        self.assertEqual([live], services.blocking([live], ['c1', 'c2']))

    def test_a_stale_row_does_not(self):
        self.assertEqual([], services.blocking([_service(age=26)], ['c1']))

    def test_a_release_that_survives_does_not(self):
        self.assertEqual([], services.blocking(
            [_service(age=1, cannot_survive=())], ['c1']))
        self.assertEqual([], services.blocking([_service(age=1)], ['c9']))

    def test_the_refusal_names_the_service(self):
        error = self.assertRaises(
            exception.ContractNotReady, phases.check_contract_ready, (), {},
            services=[_service(age=3)])
        self.assertIn('release 1.0 on ctl-1 pid 42 (last heartbeat 3s ago)',
                      str(error))
        self.assertIn('Nothing was changed', str(error))
