"""Entry points for oslo-config-generator.

webdemo's own groups are listed here; the [database] and logging options
are listed by the oslo.db and oslo.log namespaces (see
etc/webdemo/webdemo-config-generator.conf).
"""

from webdemo.conf import api
from webdemo.conf import database
from webdemo.conf import paths


def list_opts():
    return [('DEFAULT', paths.list_opts()),
            ('database', database.list_opts()),
            (api.GROUP, api.list_opts())]


def set_lib_defaults():
    database.set_lib_defaults()
