"""The db commands that only read: history, heads, branches, show, check.

Each is one short function, called by webdemo/cmd/db_commands.py. None
takes the migration lock or writes a row: history reads the database
through reader.observe_unlocked, which holds the lock only if it is
free and never waits; heads, branches and show read only the revision
scripts. (db version is the reading path without Alembic: status.py.)
"""

import io

from webdemo.db.execution import offline
from webdemo.db.history import drawing
from webdemo.db.history import phases
from webdemo.db.history import revisions
from webdemo.db.history import scripts as scripts_module
from webdemo.db.rolling import services
from webdemo.db import sql_text
from webdemo.db.state import judge
from webdemo.db.state.judge import Status
from webdemo.db.state import preconditions
from webdemo.db.state import preflight
from webdemo.db.state import reader
from webdemo.db.state import schema_check
from webdemo.db.state import status
from webdemo import exception


def services_blocking_contract(engine, state):
    """Live services too old for the contract revisions state has pending.

    :param state: the database's DatabaseState, read already
    """
    scripts = scripts_module.Scripts.load()
    return services.too_old_for(engine, [scripts.get(revision)
                                         for revision in
                                         state.contract_pending])


def titles():
    """Every revision's title, by revision id."""
    return {script.revision: revisions.title(script)
            for script in scripts_module.Scripts.load().walk()}


def history(engine, revision_range=None):
    """Every revision in revision_range, newest first, applied marked.

    :param engine: the database's engine, to mark applied revisions
    :param revision_range: 'START:END' (either may be empty, or
        'current'); None means the whole history
    :returns: (DatabaseState, list of revisions.RevisionInfo)
    :raises webdemo.exception.InvalidRevision: a malformed range or an
        unknown revision in it
    """
    scripts = scripts_module.Scripts.load()
    seen = reader.observe_unlocked(engine)
    state = judge.classify(seen, scripts)
    base, head = scripts_module.parse_range(revision_range, state)
    applied = _applied(state, scripts)
    with scripts_module.revision_errors('show history for', revision_range):
        walked = scripts.walk(base, head)
    return state, [revisions.info(rev, applied,
                                  seen.entries.get(rev.revision))
                   for rev in walked]


def graph(engine=None):
    """The revision graph as a drawing.Drawing.

    :param engine: the database's engine, whose applied, pending and
        interrupted revisions are drawn; None draws the scripts alone
    """
    scripts = scripts_module.Scripts.load()
    if engine is None:
        return drawing.drawing(scripts)
    state = judge.classify(reader.observe_unlocked(engine), scripts)
    return drawing.drawing(scripts, _applied(state, scripts),
                           state.interrupted + state.interrupted_downgrades)


def _applied(state, scripts):
    """The revisions state's database has applied (none it cannot know)."""
    if state.status == Status.UNKNOWN_REVISION:
        return frozenset()
    return scripts.applied(judge.starting_point(state))


def heads():
    """This code's head revisions, as RevisionInfo."""
    scripts = scripts_module.Scripts.load()
    return [revisions.info(scripts.get(head)) for head in scripts.heads]


def branches():
    """The revisions that more than one revision builds on."""
    return [revisions.info(rev) for rev in scripts_module.Scripts.load().walk()
            if rev.is_branch_point]


def show(revision):
    """One revision, by any name Alembic accepts, as RevisionInfo.

    :raises webdemo.exception.InvalidRevision: unknown or ambiguous
    """
    found = scripts_module.Scripts.load().resolve(revision, 'show')
    if len(found) != 1:
        raise exception.InvalidRevision(
            f'{revision!r} names {len(found)} revisions; name one.')
    return revisions.info(found[0])


def check(engine, data=False):
    """Compare the live schema with the models, and scripts with journal.

    An applied revision whose script changed since it ran, and a server
    setting under which db sync would refuse to migrate (preflight.py),
    are reported as differences of their own kinds
    (schema_check.CHANGED_SCRIPT, schema_check.UNSAFE_SETTING).

    Between expand and contract, what the pending contract will change
    is marked so (pending_contract), not drift.

    :param data: also run the data checks of the revisions db sync would
        run (schema_check.FAILING_DATA_CHECK)
    :returns: a list of schema_check.Difference; empty when all match
    """
    state = status.get_state(engine)
    failing = _failing_data_checks(engine, state) if data else []
    contract_sql = _pending_contract_sql(engine, state)
    with engine.connect() as connection:
        found = schema_check.compare(connection, contract_sql)
    with engine.connect() as connection:
        unsafe = preflight.problems(reader.server_settings(connection))
    return ([schema_check.changed_script(revision)
             for revision in state.changed_scripts] +
            [schema_check.unsafe_setting(problem) for problem in unsafe] +
            [schema_check.failing_data_check(finding)
             for finding in failing] + found)


def _pending_contract_sql(engine, state):
    """The statements the contract not yet run would send, or ().

    Written as db sync --contract --sql writes them, for the database's
    dialect, without running anything.
    """
    if state.status not in judge.EXPANDED - {Status.AT_HEAD}:
        return ()
    scripts = scripts_module.Scripts.load()
    start = judge.starting_point(state)
    _, contract = phases.split(scripts.upgrade_plan('heads', start),
                               scripts.sides)
    out = io.StringIO()
    offline.write_upgrade_sql(
        scripts, engine.url.render_as_string(hide_password=False), start,
        ((), contract), out)
    return sql_text.statements_of(out.getvalue())


# The states from which db sync has revisions to run on existing data.
_WITH_DATA_PENDING = frozenset({
    Status.UPGRADE_PENDING, Status.DATA_MIGRATIONS_PENDING,
    Status.CONTRACT_PENDING, Status.LEGACY})


def _failing_data_checks(engine, state):
    """The data checks of the revisions db sync would run that fail.

    A contract revision's are run only once its data is moved
    (CONTRACT_PENDING): before that, the data migrations db sync runs
    first change the very rows they read.
    """
    if state.status not in _WITH_DATA_PENDING or (
            state.status == Status.LEGACY and not state.legacy_revision):
        return []
    scripts = scripts_module.Scripts.load()
    expand, contract = phases.split(
        scripts.upgrade_plan('heads', judge.starting_point(state)),
        scripts.sides)
    return preconditions.find(engine, expand + (
        contract if state.status == Status.CONTRACT_PENDING else []))
