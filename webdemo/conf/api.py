"""Options of the API service ([api])."""

from oslo_config import cfg

GROUP = 'api'

KEYSTONE = 'keystone'
HTTP_BASIC = 'http_basic'
NOAUTH2 = 'noauth2'

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
    cfg.StrOpt(
        'default_project_id',
        help='The project that owns the users and accounts written before '
             'they had a project (by a release before projects, also '
             'while it still runs during the upgrade). This release shows '
             'such a row as this project\'s, and db online_data_migrations '
             '(or a whole db sync) writes this project into it; with rows '
             'to move and no value, that migration stops and says so. Set '
             'it, for db sync and the API alike, before upgrading a '
             'database that has users or accounts.'),
    cfg.StrOpt(
        'auth_strategy',
        default=KEYSTONE,
        choices=[
            (KEYSTONE, 'Keystone tokens, checked by keystonemiddleware\'s '
                       'auth_token, configured under [keystone_authtoken].'),
            (HTTP_BASIC, 'HTTP basic authentication against the bcrypt '
                         'htpasswd file [oslo_middleware] '
                         'http_basic_auth_user_file; each user\'s project '
                         'and role come from [api] http_basic_assignments.'),
            (NOAUTH2, 'TESTING ONLY: trusts the X-User-Id, X-Project-Id '
                      'and X-Roles headers as sent, so anyone can be '
                      'anyone. webdemo-api serves it on a loopback '
                      'address only.'),
        ],
        help='How the API authenticates a request. Only /healthcheck '
             'and the version document (/ and /v1) answer without it.'),
    cfg.StrOpt(
        'response_validation',
        default='warn',
        choices=[
            ('error', 'an answer that does not match its schema is a 500 '
                      '(the tests run so)'),
            ('warn', 'it is sent, and the log says where it differs'),
            ('ignore', 'answers are not checked'),
        ],
        help='What the API does with an answer whose body does not match '
             'the schema of its route (webdemo/api/schemas.py): a server '
             'bug, which the tests catch with error.'),
    cfg.ListOpt(
        'http_basic_assignments',
        default=[],
        item_type=cfg.types.String(regex=r'^[^:\s]+:[^:\s]+:'
                                         r'(reader|member|admin)$'),
        help='With auth_strategy http_basic: USER:PROJECT_ID:ROLE for each '
             'user of the htpasswd file, ROLE being reader, member or '
             'admin (admin implies member, member implies reader, as '
             'Keystone\'s default roles do). A user listed nowhere '
             'authenticates but may do nothing.'),
]


def register_opts(conf):
    conf.register_opts(_API_OPTS, group=GROUP)


def list_opts():
    return _API_OPTS
