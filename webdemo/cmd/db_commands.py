"""The handlers of ``webdemo-manage db``: each calls one function of
webdemo.db.migration (the commands that change the database),
webdemo.db.inspection (those that only read), webdemo.db.authoring
(those for developers) or, for db version, webdemo.db.state.status; renders
its result and returns the exit code.

Imported only once arguments are parsed, so that --help and argument
errors never pay for loading SQLAlchemy. Alembic and oslo.db's engines
load only in a handler that changes the schema or reads the scripts'
code: db version, and db sync with nothing to do, are held to the
process floor (doc/source/performance.rst).
"""

import importlib
import sys
import tempfile
import time

from webdemo.cmd import exit_codes
from webdemo.cmd import render
from webdemo.db import engines
from webdemo.db.execution import lock_wait
from webdemo.db.locking import lock
from webdemo.db.rolling import online_migrations
from webdemo.db.state import held
from webdemo.db.state.judge import Status
from webdemo.db.state import status
from webdemo.db import url as db_url

# db version --check: the exit code for each database status.
_CHECK_CODES = {
    Status.AT_HEAD: exit_codes.OK,
    Status.EMPTY: exit_codes.UPGRADE_PENDING,
    Status.UPGRADE_PENDING: exit_codes.UPGRADE_PENDING,
    Status.DATA_MIGRATIONS_PENDING: exit_codes.DATA_MIGRATIONS_PENDING,
    Status.CONTRACT_PENDING: exit_codes.CONTRACT_PENDING,
    Status.UNKNOWN_REVISION: exit_codes.UNKNOWN_REVISION,
    Status.UNVERSIONED: exit_codes.UNVERSIONED,
    Status.INTERRUPTED: exit_codes.INTERRUPTED,
    Status.CHANGED_SCRIPT: exit_codes.CHANGED_SCRIPT,
}


def database_label(conf):
    return db_url.display(conf.database.connection)


def _json(args):
    return getattr(args, 'format', 'text') == 'json'


def _connect(conf, args, prefix='', reading=False, writes=False,
             once=False, read_only=False, label=True):
    """The engine for one command.

    :param writes: the command changes the database; on SQLite each
        transaction takes the write lock as it begins (engines.create_engine)
    :param once: one connection attempt, bounded in time: the commands
        monitoring runs (engines.ONE_ATTEMPT_TIMEOUT)
    :param read_only: the command never writes: a database that is not
        there is an error, not a new SQLite file
    :param label: say which database first (not in a drawing)
    """
    if label and not _json(args):
        render.say(f'{prefix}Database: {database_label(conf)}')
    if reading:
        return engines.create_reading_engine(conf, once=once,
                                             existing=read_only)
    return engines.create_engine(conf, immediate=writes, once=once,
                                 existing=read_only)


def _core(name):
    """webdemo.db's module name (migration, inspection, authoring).

    Imported when a handler first needs it: each loads Alembic.
    """
    return importlib.import_module(f'webdemo.db.{name}')


def _migration():
    return _core('migration')


def _inspection():
    return _core('inspection')


def _authoring():
    return _core('authoring')


def sync(conf, args):
    if args.sql and args.dialect:
        render.say(f'-- Dialect: {args.dialect} (no database read)')
        _migration().upgrade_sql_for(args.dialect, args.revision, args.phase,
                                     out=sys.stdout,
                                     checkpoint=args.checkpoint)
        return exit_codes.OK
    if args.sql:
        engine = _connect(conf, args, prefix='-- ', read_only=True)
        _migration().upgrade_sql(
            engine, args.revision, args.phase, out=sys.stdout,
            checkpoint=args.checkpoint,
            lock_settings=lock.Settings.from_conf(conf),
            report=lambda line: render.say(f'-- {line}'))
        return exit_codes.OK
    started = time.monotonic()
    _sync(conf, args)
    render.say(f'db sync took {time.monotonic() - started:.1f} s.')
    return exit_codes.OK


def _sync(conf, args):
    lock_settings = lock.Settings.from_conf(conf)
    whole = args.revision is None and args.phase is None
    engine = _connect(conf, args, reading=whole, writes=True)
    first_look = None
    if whole:
        # Most deployments find nothing to do: asked first, without
        # loading Alembic or oslo.db's engines.
        first_look = held.work_to_sync(engine, lock_settings, render.say)
        if first_look is None:
            return
        engine = engines.create_engine(conf, immediate=True)
    try:
        _migration().sync(
            engine, args.revision, args.phase, report=render.say,
            lock_settings=lock_settings,
            ddl_guard=lock_wait.Settings.from_conf(conf,
                                                   args.allow_table_copy),
            data_settings=_data_settings(conf),
            progress=render.DataProgress(), checkpoint=args.checkpoint,
            first_look=first_look)
    finally:
        if first_look is not None:
            first_look.engine.dispose()


def _data_settings(conf):
    return online_migrations.Settings(
        default_project_id=conf.api.default_project_id)


def check_code(state):
    """The exit code db version --check gives for a DatabaseState."""
    if state.status == Status.LEGACY:
        return (exit_codes.UPGRADE_PENDING if state.legacy_revision
                else exit_codes.UNVERSIONED)
    return _CHECK_CODES[state.status]


_DATA_CODES = {'done': exit_codes.DATA_MIGRATED,
               'more': exit_codes.DATA_LEFT,
               'failed': exit_codes.DATA_MIGRATION_FAILED}


def online_data_migrations(conf, args):
    json_out = _json(args)
    results = _migration().online_data_migrations(
        _connect(conf, args, writes=True), args.max_count,
        progress=(online_migrations.NoProgress() if json_out
                  else render.DataProgress()),
        settings=_data_settings(conf))
    code = _DATA_CODES[online_migrations.exit_status(results)]
    if json_out:
        render.emit_json('online_data_migrations', code,
                         database=database_label(conf), migrations=results)
    else:
        render.data_summaries(results)
        render.data_migrations(results)
    for result in results:
        if result.error is not None:
            render.complain(f'online data migration {result.name} failed: '
                            f'{result.error}')
    return code


def version(conf, args):
    state = status.get_state(_connect(conf, args, reading=True, once=True,
                                      read_only=True))
    code = check_code(state) if args.check else exit_codes.OK
    if _json(args):
        render.emit_json('version', code, database=database_label(conf),
                         **state.as_json())
    else:
        titles = _inspection().titles() if args.verbose else {}
        render.version(state, args.verbose, titles)
    return code


def history(conf, args):
    state, infos = _inspection().history(_connect(conf, args, once=True,
                                                  read_only=True),
                                         args.rev_range)
    if _json(args):
        render.emit_json('history', exit_codes.OK,
                         database=database_label(conf), status=state.status,
                         current=state.current, revisions=infos)
    else:
        render.history(infos, args.verbose)
    return exit_codes.OK


def graph(conf, args):
    engine = None if args.no_database else _connect(
        conf, args, once=True, read_only=True, label=False)
    picture = _inspection().graph(engine)
    drawing = _core('history.drawing')
    if args.format == 'json':
        render.emit_json('graph', exit_codes.OK, database=(
            None if engine is None else database_label(conf)),
            **drawing.as_json(picture))
    elif args.format == 'mermaid':
        render.say(drawing.mermaid(picture).rstrip('\n'))
    else:
        text = drawing.dot(picture)
        render.say((drawing.svg(text) if args.format == 'svg'
                    else text).rstrip('\n'))
    return exit_codes.OK


def _revision_list(command, infos, args):
    if _json(args):
        render.emit_json(command, exit_codes.OK, revisions=infos)
    else:
        render.revision_list(infos, args.verbose)
    return exit_codes.OK


def heads(conf, args):
    return _revision_list('heads', _inspection().heads(), args)


def branches(conf, args):
    return _revision_list('branches', _inspection().branches(), args)


def show(conf, args):
    return _revision_list('show', [_inspection().show(args.revision)], args)


def stamp(conf, args):
    _migration().stamp(_connect(conf, args, writes=True), args.revision,
                       purge=args.purge, report=render.say,
                       lock_settings=lock.Settings.from_conf(conf))
    return exit_codes.OK


def downgrade(conf, args):
    _migration().downgrade(_connect(conf, args, writes=True), args.revision,
                           confirmed=args.yes, report=render.say,
                           lock_settings=lock.Settings.from_conf(conf),
                           ddl_guard=lock_wait.Settings.from_conf(
                               conf, args.allow_table_copy))
    return exit_codes.OK


def revision(conf, args):
    engine = _connect(conf, args) if args.autogenerate else None
    path = _authoring().new_revision(args.message, args.phase,
                                     args.autogenerate, engine,
                                     report=render.say)
    render.say(f'Wrote {path}')
    return exit_codes.OK


def checkpoint(conf, args):
    with tempfile.TemporaryDirectory() as scratch:
        made = [_engine_for(conf, f'sqlite:///{scratch}/replay.db')]
        made += [_engine_for(conf, url) for url in args.backend_url]
        try:
            path = _authoring().checkpoint(made[0], args.revision, made[1:],
                                           report=render.say,
                                           release=args.release)
        finally:
            for engine in made:
                engine.dispose()
    render.say(f'Wrote {path}')
    return exit_codes.OK


def _engine_for(conf, url):
    """An engine for url, made as for [database] connection."""
    conf.set_override('connection', url, group='database')
    try:
        return engines.create_engine(conf)
    finally:
        conf.clear_override('connection', group='database')


def merge(conf, args):
    render.say(f'Wrote {_authoring().merge(args.revisions, args.message)}')
    return exit_codes.OK


def _check_exit_code(differences):
    from webdemo.db.state import schema_check

    kinds = {difference.kind for difference in differences
             if not difference.pending_contract}
    if schema_check.CHANGED_SCRIPT in kinds:
        return exit_codes.CHANGED_SCRIPT
    if schema_check.UNSAFE_SETTING in kinds:
        return exit_codes.UNSAFE_SERVER
    if schema_check.FAILING_DATA_CHECK in kinds:
        return exit_codes.DATA_CHECK_FAILED
    return exit_codes.UPGRADE_PENDING if kinds else exit_codes.OK


def check(conf, args):
    found = _inspection().check(_connect(conf, args, once=True,
                                         read_only=True), data=args.data)
    code = _check_exit_code(found)
    if _json(args):
        render.emit_json('check', code, database=database_label(conf),
                         differences=found)
    else:
        render.differences(found)
    return code
