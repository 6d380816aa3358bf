"""Options that say where webdemo keeps its files."""

import os

from oslo_config import cfg

_PATH_OPTS = [
    cfg.StrOpt(
        'state_path',
        default=os.getcwd(),
        sample_default='<current working directory>',
        help='Directory where webdemo keeps its state. The embedded '
             'default database, a SQLite file named webdemo.db, lives '
             'here. Defaults to the directory the command runs in.'),
]


def register_opts(conf):
    conf.register_opts(_PATH_OPTS)


def list_opts():
    return _PATH_OPTS
