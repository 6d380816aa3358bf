"""Where a database stands against this code's revisions: pure decisions.

reader.py reads an Observation from the database; classify() judges it
against the revision graph (scripts.Scripts, or anything with the same
four members) and returns a DatabaseState. Nothing here does I/O, so
every status is unit-tested in memory. What a command refuses to do
from a state is refusals.py's.
"""

import dataclasses
import enum

from webdemo.db import bookkeeping
from webdemo.db.execution import journal
from webdemo.db.execution.journal import Direction
from webdemo.db.history import checkpoints
from webdemo.db.history import phases
from webdemo.db.state import legacy


class Status(str, enum.Enum):
    """A database's status. The values are published (JSON, --check)."""
    EMPTY = 'empty'
    # Expand revisions (or ones before the split) are not applied: this
    # release's code cannot run yet. Published before the phases were.
    UPGRADE_PENDING = 'upgrade_pending'
    # Expanded; online data migrations have rows to move (the counts are
    # in DatabaseState.data_migrations).
    DATA_MIGRATIONS_PENDING = 'data_migrations_pending'
    # Expanded, data moved; the contract revisions are not applied.
    CONTRACT_PENDING = 'contract_pending'
    AT_HEAD = 'at_head'
    UNKNOWN_REVISION = 'unknown_revision'
    UNVERSIONED = 'unversioned'
    LEGACY = 'legacy'
    # A revision run died or failed half-way; see DatabaseState.
    INTERRUPTED = 'interrupted'
    # An applied revision's script changed since it ran. Published as
    # 'tampered' since the first release.
    CHANGED_SCRIPT = 'tampered'

    @property
    def words(self):
        return self.value.replace('_', ' ')


@dataclasses.dataclass(frozen=True)
class Observation:
    """What was read from a database, as classify() needs it.

    :ivar tables: the names of every table in it
    :ivar current: the revisions alembic_version records
    :ivar legacy_version: sqlalchemy-migrate's version, or None; only
        read when alembic_version records nothing
    :ivar entries: the newest journal.Entry of each revision
    :ivar lock_free: it was read holding the migration lock, so no other
        process was migrating meanwhile
    """
    tables: frozenset = frozenset()
    current: tuple = ()
    legacy_version: int = None
    entries: dict = dataclasses.field(default_factory=dict)
    lock_free: bool = True


@dataclasses.dataclass(frozen=True)
class DatabaseState:
    """Where a database stands against this code's revisions.

    :ivar current: the revisions recorded in the database (may be empty)
    :ivar heads: this code's head revisions
    :ivar status: a Status
    :ivar unknown: the recorded revisions this code does not know
    :ivar legacy_version: the sqlalchemy-migrate version, for LEGACY
    :ivar legacy_revision: the revision legacy_version maps to, or None
    :ivar interrupted: revisions whose upgrade died or failed half-way;
        the next db sync completes them
    :ivar interrupted_downgrades: revisions whose downgrade died or
        failed half-way; running that db downgrade again completes them
    :ivar failed: of those, the revisions whose last run the database
        refused, each with the first line of its error: running again
        does not help until the cause is fixed
    :ivar changed_scripts: applied revisions whose script changed since
    :ivar expand_pending: expand revisions (the history before the split
        included) not applied
    :ivar contract_pending: contract revisions not applied
    :ivar data_migrations: rows each online data migration still has to
        move, by name; counted only once expanded with contract pending
    :ivar known_expanded: with unknown revisions recorded, whether the
        revisions this code knows that are recorded beside them imply
        its whole expand phase: a later release's revisions stand beyond
        this code's, and the schema is still one this code runs on
    """
    current: tuple
    heads: tuple
    status: Status
    unknown: tuple = ()
    legacy_version: int = None
    legacy_revision: str = None
    interrupted: tuple = ()
    interrupted_downgrades: tuple = ()
    failed: dict = dataclasses.field(default_factory=dict)
    changed_scripts: tuple = ()
    expand_pending: tuple = ()
    contract_pending: tuple = ()
    data_migrations: dict = dataclasses.field(default_factory=dict)
    known_expanded: bool = False

    def as_json(self):
        """The published fields, under their published names."""
        fields = dataclasses.asdict(self)
        fields.pop('known_expanded')
        fields['tampered'] = fields.pop('changed_scripts')
        return fields


def classify(seen, graph):
    """Judge an Observation against the revision graph.

    :param seen: an Observation
    :param graph: the revision graph: ``heads``, ``is_known(rev)``,
        ``applied(current)`` (every revision current implies),
        ``accepts(rev, checksum)`` (is it its script's, now or as
        released) and ``sides`` (a phases.Sides)
    :returns: a DatabaseState
    """
    heads = tuple(sorted(graph.heads))
    if seen.legacy_version is not None:
        return DatabaseState(
            seen.current, heads, Status.LEGACY,
            legacy_version=seen.legacy_version,
            legacy_revision=legacy.revision_for(seen.legacy_version))
    unknown = tuple(rev for rev in seen.current if not graph.is_known(rev))
    entries, tables = seen.entries, seen.tables
    if not seen.lock_free:
        # Another process is migrating: its rows are not leftovers, and on
        # MySQL its tables may show before its version does.
        entries, tables = {}, tables & bookkeeping.NOT_MODELLED
    applied = frozenset() if unknown else graph.applied(seen.current)
    upgrades, downgrades = interrupted_runs(entries, applied)
    changed = () if unknown else changed_scripts(graph, applied, entries)
    expand, contract = (((), ()) if unknown
                        else phases.pending(graph.sides, applied))
    status = _status(seen.current, tables, unknown, upgrades + downgrades,
                     changed, expand, contract)
    failed = {revision: error for revision in upgrades + downgrades
              if (error := journal.failure(entries[revision]))}
    return DatabaseState(seen.current, heads, status, unknown,
                         interrupted=upgrades,
                         interrupted_downgrades=downgrades, failed=failed,
                         changed_scripts=changed, expand_pending=expand,
                         contract_pending=contract,
                         known_expanded=bool(unknown) and known_expanded(
                             graph, seen.current))


def surely_behind(current, graph):
    """Do the version rows alone show revisions left to apply?

    True for an empty version table or a phase short of its head; False
    whenever only the whole judgement (classify) can tell, an unknown
    revision included. Read without the lock, a True is only a hint to
    go ahead: the command then takes the lock and judges afresh.

    :param current: the revisions in the version table
    :param graph: the revision graph (graph.Graph)
    """
    if not current:
        return True
    if not all(graph.is_known(revision) for revision in current):
        return False
    expand, contract = phases.pending(graph.sides, graph.applied(current))
    return bool(expand or contract)


def known_expanded(graph, current):
    """Do the known revisions of current imply this code's whole expand?

    A later release's expand revision replaces this code's expand head
    in the version table with one this code does not know; the contract
    head recorded beside it (which depends on this code's expand head)
    still says that everything this code needs is there.
    """
    known = [revision for revision in current if graph.is_known(revision)]
    return bool(known) and not phases.pending(
        graph.sides, graph.applied(known))[0]


def _status(current, tables, unknown, interrupted, changed, expand_pending,
            contract_pending):
    if unknown:
        return Status.UNKNOWN_REVISION
    if interrupted:
        return Status.INTERRUPTED
    if not current:
        return (Status.UNVERSIONED if tables - bookkeeping.NOT_MODELLED
                else Status.EMPTY)
    if changed:
        return Status.CHANGED_SCRIPT
    if expand_pending:
        return Status.UPGRADE_PENDING
    # Expanded: this release runs; what is left is the contract's.
    return Status.CONTRACT_PENDING if contract_pending else Status.AT_HEAD


def interrupted_runs(entries, applied):
    """Unfinished journal rows that alembic_version contradicts.

    A row left unfinished by a run that died after its revision committed
    agrees with alembic_version: that revision is done, not interrupted.

    :returns: (revisions whose upgrade is half-done, revisions whose
        downgrade is half-done), each sorted
    """
    unfinished = [entry for entry in entries.values() if entry.unfinished
                  # A checkpoint's build is interrupted only while no
                  # revision is recorded: once one is, it was built.
                  and not (applied and checkpoints.is_key(entry.revision))]
    upgrades = sorted(entry.revision for entry in unfinished
                      if entry.direction == Direction.UPGRADE
                      and entry.revision not in applied)
    downgrades = sorted(entry.revision for entry in unfinished
                        if entry.direction == Direction.DOWNGRADE
                        and entry.revision in applied)
    return tuple(upgrades), tuple(downgrades)


def changed_scripts(graph, applied, entries):
    """Applied revisions whose script differs from the one that ran."""
    return tuple(sorted(
        revision for revision, entry in entries.items()
        if revision in applied and entry.direction == Direction.UPGRADE
        and not entry.unfinished and entry.checksum
        and not graph.accepts(revision, entry.checksum)))


def describe(state):
    """Say in a few words where a database stands, for operators."""
    if state.status == Status.LEGACY:
        return (f'sqlalchemy-migrate version {state.legacy_version} '
                '(legacy)')
    current = ', '.join(state.current) or 'no revision'
    return f'{current} ({state.status.words})'


def retrying(state):
    """A line for each revision an earlier run left, and why.

    Said by the command that runs them again, before it does.
    """
    return [f'Retrying {revision}, whose last run failed: '
            f'{state.failed[revision]}' if state.failed.get(revision) else
            f'Completing {revision}, left unfinished by an earlier run.'
            for revision in state.interrupted]


# The expand phase is applied: this release's code, and its data
# migrations, can run.
EXPANDED = frozenset({Status.CONTRACT_PENDING,
                      Status.DATA_MIGRATIONS_PENDING, Status.AT_HEAD})

# What an operator runs next, for each status: db version's neighbours
# (the API's schema guard, webdemo-status) all give the same advice.
_NEXT_STEP = {
    Status.AT_HEAD: 'nothing to do',
    Status.EMPTY: 'run webdemo-manage db sync --expand (or db sync)',
    Status.UPGRADE_PENDING: 'run webdemo-manage db sync --expand',
    Status.LEGACY: 'run webdemo-manage db sync --expand to adopt it',
    Status.DATA_MIGRATIONS_PENDING: (
        'run webdemo-manage db online_data_migrations until it exits 0, '
        'then the contract'),
    Status.CONTRACT_PENDING: (
        'run webdemo-manage db sync --contract once no service of the '
        'previous release runs'),
    Status.INTERRUPTED: (
        'run webdemo-manage db sync to complete it (an interrupted '
        'downgrade: the same db downgrade again)'),
    Status.UNKNOWN_REVISION: 'a newer webdemo migrated it: run that release',
    Status.UNVERSIONED: 'stamp it with webdemo-manage db stamp',
    Status.CHANGED_SCRIPT: ('an applied revision\'s script changed: see '
                            'webdemo-manage db check'),
}


def where_next(state):
    """Where the database stands and, unless at head, what runs next."""
    if state.status == Status.AT_HEAD:
        return describe(state)
    return f'{describe(state)}: {next_step(state)}'


def next_step(state):
    """What to run next on a database in state, in a few words."""
    if state.status == Status.INTERRUPTED and state.failed:
        return (f'fix what made {", ".join(sorted(state.failed))} fail '
                '(webdemo-manage db version shows the error), then run the '
                'same command again')
    return _NEXT_STEP[state.status]


def starting_point(state):
    """The revisions a migration starts from: a legacy version mapped."""
    if state.status == Status.LEGACY:
        return (state.legacy_revision,)
    return state.current
