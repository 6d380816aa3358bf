"""Options of the API service ([api])."""

from oslo_config import cfg

GROUP = 'api'

_API_OPTS = [
    cfg.IntOpt(
        'schema_check_interval',
        default=5, min=1,
        help='Seconds between two reads of the database schema\'s state '
             'by each API worker. While the schema is outside what this '
             'release can run against (expand not applied, a migration '
             'interrupted, a revision from a newer release), every '
             'request but /healthcheck is answered 503; serving resumes '
             'within this many seconds of the schema coming back.'),
]


def register_opts(conf):
    conf.register_opts(_API_OPTS, group=GROUP)


def list_opts():
    return _API_OPTS
