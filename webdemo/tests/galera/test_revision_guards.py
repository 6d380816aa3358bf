"""On the Galera cluster, through HAProxy: revisions' data checks refuse
before any statement (functional/test_data_checks.py), and a change only
a table copy could make is refused until allowed
(functional/test_table_copy.py)."""

from oslotest import base

from webdemo.tests.functional import test_data_checks
from webdemo.tests.functional import test_table_copy
from webdemo.tests.galera import cluster


class TestDataChecksGalera(test_data_checks.DataChecks, cluster.GaleraMixin,
                           base.BaseTestCase):
    pass


class TestTableCopyGalera(test_table_copy.TableCopy, cluster.GaleraMixin,
                          base.BaseTestCase):
    pass
