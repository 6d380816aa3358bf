"""webdemo-manage's arguments: every command, its options and its help.

The parser loads no database code, so ``--help`` and a mistyped option
answer at once; each command names its handler in
webdemo.cmd.db_commands (set_defaults(handler=...)).
"""

import argparse

from webdemo.cmd import exit_codes

PROG = 'webdemo-manage'


class _ArgumentParser(argparse.ArgumentParser):
    """An argparse parser whose errors are one line and exit 127."""

    def error(self, message):
        self.exit(exit_codes.INVALID_INPUT,
                  f'{PROG}: error: {message} (see {self.prog} --help)\n')


def _revision(text):
    """A REVISION argument: never empty.

    An empty one would read as no argument: db sync "$REV" with REV unset
    would run every phase, contract included.
    """
    if not text.strip():
        raise argparse.ArgumentTypeError(
            'REVISION is empty: give a revision id, heads or base, or '
            'leave the argument out')
    return text


def _documented(subparsers, name, summary, description):
    """A command whose handler is db_commands.<name>, exit codes in help."""
    parser = subparsers.add_parser(
        name, help=summary, description=description,
        epilog=exit_codes.HELP,
        formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.set_defaults(handler=name)
    return parser


def _add_output_options(parser, verbose=True):
    parser.add_argument('--format', choices=('text', 'json'),
                        default='text',
                        help='json: one object with stable keys on '
                             'standard output, also for an error (README); '
                             'log lines then go to standard error')
    # webdemo-status's spelling (oslo.upgradecheck's), for one habit.
    parser.add_argument('--json', dest='format', action='store_const',
                        const='json', help='the same as --format json')
    if verbose:
        parser.add_argument('--verbose', '-v', action='store_true',
                            help='more detail about each revision')


def _add_changing_commands(commands):
    sync = _documented(
        commands, 'sync',
        'upgrade the database: every phase, one phase, or to REVISION',
        'Upgrade the database to the latest revision: the expand phase, '
        'the online data migrations, then the contract phase (with the '
        'service stopped). In a rolling upgrade run --expand before the '
        'new release starts and --contract once no previous release '
        'runs (doc/source/rolling-upgrades.rst). Safe to run on every '
        'deployment: on an up-to-date database it changes nothing and '
        'exits 0. A legacy sqlalchemy-migrate database is adopted first.')
    target = sync.add_mutually_exclusive_group()
    target.add_argument('revision', nargs='?', metavar='REVISION',
                        type=_revision,
                        help='target: heads (default), a full or partial '
                             'id, +N, or expand@head / contract@head')
    _add_phase_options(target, 'upgrade')
    sync.add_argument('--sql', action='store_true',
                      help="print the SQL from the database's current "
                           'revision to the target instead of running it '
                           '(refused, exit 7, while an earlier run left a '
                           'revision with statements applied: db sync '
                           'completes it)')
    # backends.DIALECTS, written out: the parser loads no database code.
    sync.add_argument('--dialect', choices=('sqlite', 'postgresql', 'mysql'),
                      help='with --sql: write it for this kind of '
                           'database without reaching one, from an empty '
                           'database, or from START with REVISION '
                           'written START:END')
    sync.add_argument('--no-checkpoint', dest='checkpoint',
                      action='store_false',
                      help='on an empty database, run every revision '
                           'instead of starting from the newest '
                           'checkpoint at or below the target')
    _add_table_copy_option(sync)
    stamp = _documented(
        commands, 'stamp',
        'record REVISION as the database revision, running nothing',
        'Mark the database as being at REVISION without running any '
        'migration, e.g. for a database whose schema was made by hand.')
    stamp.add_argument('revision', metavar='REVISION', type=_revision)
    stamp.add_argument('--purge', action='store_true',
                       help='first delete the recorded revisions, also '
                            'ones this webdemo does not know')
    downgrade = _documented(
        commands, 'downgrade',
        'undo revisions down to REVISION',
        'Undo revisions down to REVISION (an id, a partial id, base, or '
        '-N). Prints what it will undo; refuses without --yes when that '
        'drops a table or column.')
    downgrade.add_argument('revision', metavar='REVISION', type=_revision)
    downgrade.add_argument('--yes', action='store_true',
                           help='accept losing the data in dropped tables '
                                'and columns')
    _add_table_copy_option(downgrade)


def _add_table_copy_option(parser):
    parser.add_argument('--allow-table-copy', action='store_true',
                        help='MySQL/MariaDB: let a revision copy a table '
                             "the server cannot change in place, stopping "
                             "the table's writes until it is copied "
                             '(refused otherwise, exit 16); for a '
                             'maintenance window')


def _add_phase_options(group, verb):
    group.add_argument('--expand', dest='phase', action='store_const',
                       const='expand',
                       help=f'{verb} the expand branch only: additions '
                            'the previous release can run with')
    group.add_argument('--contract', dest='phase', action='store_const',
                       const='contract',
                       help=f'{verb} the contract branch only: removals, '
                            'once no previous release runs')


def _positive(value):
    number = int(value)
    if number < 1:
        raise argparse.ArgumentTypeError(f'{value} is not a positive number')
    return number


def _add_data_migration_command(commands):
    online = _documented(
        commands, 'online_data_migrations',
        'move data for the running release, in small batches',
        'Run the online data migrations '
        '(webdemo/db/rolling/data_migrations.py) '
        'in batches of 1000 rows, each one short transaction, while the '
        'service keeps running; safe to stop and run again. Needs the '
        'upgraded schema (db sync first).')
    online.add_argument('--max-count', type=_positive, metavar='N',
                        help='migrate at most N rows in all, then exit 1 '
                             'if rows are left')
    _add_output_options(online, verbose=False)


def _add_reading_commands(commands):
    version = _documented(
        commands, 'version',
        "print the database's revision and status",
        "Print the database's current revision(s), this webdemo's "
        'head(s) and the status. Exits 0 whenever it could read the '
        'database, unless --check.')
    version.add_argument('--check', action='store_true',
                         help='exit with the status: 0 at head, 2 upgrade '
                              '(expand) pending, 13 data migrations '
                              'pending, 14 contract pending, and the other '
                              'codes below')
    _add_output_options(version)
    history = _documented(
        commands, 'history',
        'list the revisions, applied ones marked [x]',
        'List the revisions, newest first, marking those applied to the '
        'database.')
    history.add_argument('-r', '--rev-range', metavar='RANGE',
                         help='START:END, e.g. base:head, current:heads')
    _add_output_options(history)
    heads = _documented(commands, 'heads',
                        "list this webdemo's head revisions",
                        "List this webdemo's head revisions.")
    _add_output_options(heads)
    branches = _documented(commands, 'branches',
                           'list the branch points',
                           'List revisions that several revisions build on.')
    _add_output_options(branches)
    show = _documented(commands, 'show', 'describe one revision',
                       'Describe one revision (any name db sync accepts).')
    show.add_argument('revision', metavar='REVISION', type=_revision)
    show.set_defaults(verbose=True)
    _add_output_options(show, verbose=False)
    _add_check_command(commands)
    _add_graph_command(commands)


def _add_graph_command(commands):
    graph = _documented(
        commands, 'graph', 'draw the revision graph',
        'Draw the revisions: what each follows (solid) and depends on '
        '(dashed), branch points and merges, the expand and contract '
        'phases, and which revisions the database has applied, has '
        'pending, or left interrupted.')
    graph.add_argument('--format', choices=('dot', 'svg', 'mermaid', 'json'),
                       default='dot',
                       help='dot: Graphviz (default); svg: drawn by '
                            "Graphviz's dot command, which must be "
                            'installed; mermaid: for Markdown; json: '
                            'nodes and edges')
    graph.add_argument('--no-database', action='store_true',
                       help='draw the scripts alone, reading no database')


def _add_check_command(commands):
    check = _documented(
        commands, 'check',
        'compare the live schema with the models',
        'List each difference between the database schema and the '
        'models, such as drift from a hand-made hotfix. Exits 2 when '
        'there are differences.')
    check.add_argument('--data', action='store_true',
                       help="also run the data checks of the revisions "
                            "db sync would run (a contract's once the "
                            "data is moved); exits 15 when one fails. "
                            "Changes nothing")
    _add_output_options(check, verbose=False)


def _add_developer_commands(commands):
    revision = _documented(
        commands, 'revision',
        'write a new revision file (developers)',
        "Write a new revision at the head of webdemo's expand branch "
        '(--expand) or contract branch (--contract).')
    revision.add_argument('-m', '--message', required=True)
    phase = revision.add_mutually_exclusive_group()
    _add_phase_options(phase, 'write into')
    revision.add_argument('--autogenerate', action='store_true',
                          help='fill it in from the differences between '
                               'the models and the database (at head): '
                               'with --expand the additions, with '
                               '--contract the removals')
    merge = _documented(
        commands, 'merge', 'write a revision merging heads '
        '(developers)', 'Write a revision that merges REVISIONs, usually '
        'the heads of parallel branches.')
    merge.add_argument('revisions', nargs='+', metavar='REVISION',
                       type=_revision)
    merge.add_argument('-m', '--message', required=True)
    checkpoint = _documented(
        commands, 'checkpoint', 'write a checkpoint of the schema '
        '(developers)', 'Replay the history up to REVISION (default: the '
        'heads) on a scratch SQLite database and write the schema it '
        'builds, and its rows, as a checkpoint file beside the revisions: '
        'db sync then builds an empty database from it instead of '
        'replaying them (doc/source/revision-history.rst).')
    checkpoint.add_argument('revision', nargs='?', metavar='REVISION',
                            type=_revision)
    checkpoint.add_argument(
        '--backend-url', action='append', default=[], metavar='URL',
        help='an empty database of another backend to replay on too, for '
             'what SQLite cannot hold (a MySQL column\'s collation); '
             'repeat for several. It is left at REVISION')
    checkpoint.add_argument(
        '--release', metavar='NAME',
        help='the release it is cut at, which an operator upgrades an '
             'older database with once a later release retires these '
             "revisions (default: this webdemo's version)")


def build_parser():
    parser = _ArgumentParser(
        prog=PROG,
        description='Manage the database of a webdemo deployment. The '
                    'database is [database] connection in the '
                    'configuration (default: a SQLite file webdemo.db in '
                    '[DEFAULT] state_path).',
        epilog=exit_codes.HELP,
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
    categories = parser.add_subparsers(dest='category', metavar='CATEGORY',
                                       required=True)
    db = categories.add_parser(
        'db', help='manage the database schema',
        description="Create, upgrade and inspect webdemo's database.",
        epilog=exit_codes.HELP,
        formatter_class=argparse.RawDescriptionHelpFormatter)
    commands = db.add_subparsers(dest='command', metavar='COMMAND',
                                 required=True)
    _add_changing_commands(commands)
    _add_data_migration_command(commands)
    _add_reading_commands(commands)
    _add_developer_commands(commands)
    return parser
