"""webdemo-manage: the operator's command line for webdemo's database.

This module reads the arguments (webdemo.cmd.manage_parser), loads the
configuration, runs one handler of webdemo.cmd.db_commands and turns the
outcome into an exit code (webdemo.cmd.exit_codes). Database modules
load only when a command runs.
"""

import gc
import signal
import sys
import traceback

from oslo_config import cfg

from webdemo.cmd import exit_codes
from webdemo.cmd import manage_logging
from webdemo.cmd import manage_parser
from webdemo.cmd import render
from webdemo import conf as webdemo_conf
from webdemo import exception

PROG = manage_parser.PROG


def _oslo_config_args(args):
    oslo_args = []
    for path in args.config_file:
        oslo_args += ['--config-file', path]
    for path in args.config_dir:
        oslo_args += ['--config-dir', path]
    return oslo_args


def _refuse_unknown_options(conf):
    from webdemo.conf import unknown

    for option in unknown.refuse_in_database(unknown.find(conf)):
        print(f'{PROG}: warning: {option}', file=sys.stderr)


def _fail(error, conf, args):
    if args.debug:
        trace = ''.join(traceback.format_exception(error))
        print(manage_logging.redact(trace, conf),
              file=sys.stderr)
    if isinstance(error, exception.WebdemoError):
        message = str(error)
    else:
        message = (f'unexpected {type(error).__name__}: {error}; rerun '
                   'with --debug for the traceback and report it.')
    message = manage_logging.redact(message, conf)
    code = exit_codes.for_error(error)
    if _json_out(args):
        render.emit_json(args.command, code, error=message)
    print(f'{PROG}: error: {message}', file=sys.stderr)
    return code


def _run(conf, args, whole_process):
    from webdemo.cmd import db_commands

    if whole_process:
        # What the imports made lives until the process exits: main()
        # kept the cycle collector off while they ran, and, frozen, it is
        # never walked again (each full collection would, and the reading
        # of the revision graph alone sets off several): db version at a
        # thousand revisions went from 0.30 to 0.27 s (doc/source/
        # performance.rst). What the command allocates is still collected.
        gc.freeze()
        gc.enable()
    return getattr(db_commands, args.handler)(conf, args)


def _json_out(args):
    return getattr(args, 'format', 'text') == 'json'


def _terminate(signum, frame):
    raise exception.Terminated()


def main(argv=None):
    """Run webdemo-manage with argv (default: sys.argv[1:]).

    Without argv, main() takes the process for its own, as the console
    script does: it freezes what the imports made (_run). A program that
    calls it with argv (the tests) keeps its collector, and its garbage.
    """
    whole_process = argv is None
    if whole_process:
        gc.disable()
        signal.signal(signal.SIGTERM, _terminate)
    parser = manage_parser.build_parser()
    args = parser.parse_args(argv)
    if getattr(args, 'dialect', None) and not args.sql:
        parser.error('--dialect writes SQL: use it with --sql')
    conf = cfg.ConfigOpts()
    try:
        # A drawing (db graph) on standard output is kept clean as JSON.
        manage_logging.register(conf, json_out=getattr(
            args, 'format', 'text') != 'text')
        webdemo_conf.load(conf, _oslo_config_args(args))
        manage_logging.start(conf, args.debug)
        _refuse_unknown_options(conf)
        return _run(conf, args, whole_process)
    except exception.Terminated:
        print(f'{PROG}: terminated', file=sys.stderr)
        return exit_codes.TERMINATED
    except KeyboardInterrupt:
        print(f'{PROG}: interrupted', file=sys.stderr)
        return exit_codes.CANCELLED
    except BrokenPipeError:
        # The reader of our output left; nothing more to say to it.
        render.silence_stdout()
        return exit_codes.OK
    except Exception as error:
        return _fail(error, conf, args)


if __name__ == '__main__':
    sys.exit(main())
