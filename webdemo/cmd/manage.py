"""webdemo-manage: the operator's command line for webdemo's database.

This module parses arguments, calls one function of webdemo.db.migration
and maps the outcome to an exit code. Database modules are imported only
when a command runs, so that --help and argument errors stay fast.
"""

import argparse
import logging
import sys
import traceback

from oslo_config import cfg
from oslo_log import log as oslo_logging

from webdemo import conf as webdemo_conf
from webdemo import exception

EXIT_OK = 0
EXIT_ERROR = 1
EXIT_UNKNOWN_REVISION = 3
EXIT_UNVERSIONED = 4
EXIT_INVALID_INPUT = 127
EXIT_INTERRUPTED = 130

# Most specific first: the first class an error is an instance of wins.
_EXIT_CODES = (
    (exception.UnknownDatabaseRevision, EXIT_UNKNOWN_REVISION),
    (exception.UnversionedDatabase, EXIT_UNVERSIONED),
    (exception.InvalidRevision, EXIT_INVALID_INPUT),
    (exception.WebdemoError, EXIT_ERROR),
)

EXIT_CODES_HELP = f"""\
exit codes:
  {EXIT_OK}    success
  {EXIT_ERROR}    operational error: configuration, connection,
       authentication, a failed migration
  {EXIT_UNKNOWN_REVISION}    the database is at a revision this webdemo does
       not know (a newer webdemo migrated it, or history diverged)
  {EXIT_UNVERSIONED}    the database has tables but no version information
  {EXIT_INVALID_INPUT}  invalid input: bad arguments, unknown or ambiguous
       revision
  {EXIT_INTERRUPTED}  interrupted (Ctrl-C)
"""

PROG = 'webdemo-manage'


class _ArgumentParser(argparse.ArgumentParser):
    """An argparse parser whose errors are one line and exit 127."""

    def error(self, message):
        self.exit(EXIT_INVALID_INPUT,
                  f'{self.prog}: error: {message} (see {self.prog} --help)\n')


def _add_db_commands(subparsers):
    db = subparsers.add_parser(
        'db', help='manage the database schema',
        description='Create, upgrade and inspect webdemo\'s database.',
        epilog=EXIT_CODES_HELP,
        formatter_class=argparse.RawDescriptionHelpFormatter)
    commands = db.add_subparsers(dest='command', metavar='COMMAND',
                                 required=True)
    sync = commands.add_parser(
        'sync', help='upgrade the database to the head, or to REVISION',
        description='Upgrade the database to the latest revision, or to '
                    'REVISION. Safe to run on every deployment: on an '
                    'up-to-date database it changes nothing and exits 0.',
        epilog=EXIT_CODES_HELP,
        formatter_class=argparse.RawDescriptionHelpFormatter)
    sync.add_argument('revision', nargs='?', metavar='REVISION',
                      help='target revision (default: the head)')
    sync.set_defaults(handler=_db_sync)
    version = commands.add_parser(
        'version', help="print the database's revision and status",
        description="Print the database's current revision(s), this "
                    "webdemo's head, and whether an upgrade is pending. "
                    'Exits 0 whenever it could read the database.',
        epilog=EXIT_CODES_HELP,
        formatter_class=argparse.RawDescriptionHelpFormatter)
    version.set_defaults(handler=_db_version)


def build_parser():
    parser = _ArgumentParser(
        prog=PROG,
        description='Manage the database of a webdemo deployment. The '
                    'database is [database] connection in the '
                    'configuration (default: a SQLite file webdemo.db in '
                    '[DEFAULT] state_path).',
        epilog=EXIT_CODES_HELP,
        formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument('--config-file', action='append', default=[],
                        metavar='PATH',
                        help='a config file to read; repeat for several. '
                             'Default: /etc/webdemo/webdemo.conf and '
                             "oslo.config's other default places")
    parser.add_argument('--config-dir', action='append', default=[],
                        metavar='DIR',
                        help='a directory of *.conf files to read')
    parser.add_argument('--debug', action='store_true',
                        help='log debug messages and show tracebacks')
    subparsers = parser.add_subparsers(dest='category', metavar='CATEGORY',
                                       required=True)
    _add_db_commands(subparsers)
    return parser


def _oslo_config_args(args):
    oslo_args = []
    for path in args.config_file:
        oslo_args += ['--config-file', path]
    for path in args.config_dir:
        oslo_args += ['--config-dir', path]
    return oslo_args


def _connect(conf):
    from webdemo.db import api
    from webdemo.db import url

    print(f'Database: {url.display(conf.database.connection)}', flush=True)
    return api.create_engine(conf)


def _db_sync(conf, args):
    from webdemo.db import migration

    migration.sync(_connect(conf), args.revision, report=_say)
    return EXIT_OK


def _db_version(conf, args):
    from webdemo.db import migration

    state = migration.get_state(_connect(conf))
    _say(f'Current revision: {", ".join(state.current) or "none"}')
    _say(f'Head revision: {", ".join(state.heads)}')
    _say(f'Status: {state.status}')
    return EXIT_OK


def _say(line):
    print(line, flush=True)


class _RedactingFilter(logging.Filter):
    """Keep the database password out of every log line."""

    def __init__(self, conf):
        super().__init__()
        self._conf = conf

    def filter(self, record):
        record.msg = _redact(record.getMessage(), self._conf)
        record.args = ()
        return True


def _redact(text, conf):
    from webdemo.db import url

    try:
        connection = conf.database.connection
    except (cfg.Error, AttributeError):
        return text
    return url.redact(text, connection)


def _register_logging(conf):
    oslo_logging.register_options(conf)
    oslo_logging.set_defaults(default_log_levels=[
        'alembic=WARN', 'oslo_db=ERROR', 'sqlalchemy=WARN'])


def _start_logging(conf, debug):
    if debug:
        conf.set_override('debug', True)
    oslo_logging.setup(conf, 'webdemo')
    for handler in logging.getLogger().handlers:
        handler.addFilter(_RedactingFilter(conf))


def _fail(error, conf, debug):
    if debug:
        print(_redact(''.join(traceback.format_exception(error)), conf),
              file=sys.stderr)
    if isinstance(error, exception.WebdemoError):
        message = str(error)
    else:
        message = (f'unexpected {type(error).__name__}: {error}; rerun '
                   'with --debug for the traceback and report it.')
    print(f'{PROG}: error: {_redact(message, conf)}', file=sys.stderr)
    for error_class, code in _EXIT_CODES:
        if isinstance(error, error_class):
            return code
    return EXIT_ERROR


def main(argv=None):
    """Run webdemo-manage with argv (default: sys.argv[1:])."""
    args = build_parser().parse_args(argv)
    conf = cfg.ConfigOpts()
    try:
        _register_logging(conf)
        webdemo_conf.load(conf, _oslo_config_args(args))
        _start_logging(conf, args.debug)
        return args.handler(conf, args)
    except KeyboardInterrupt:
        print(f'{PROG}: interrupted', file=sys.stderr)
        return EXIT_INTERRUPTED
    except Exception as error:
        return _fail(error, conf, args.debug)


if __name__ == '__main__':
    sys.exit(main())
