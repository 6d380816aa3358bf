"""The phases of a rolling upgrade, and their order: pure decisions.

From revision 948ccd040506 on, the history goes on in two Alembic
branches (doc/source/rolling-upgrades.rst):

- expand (versions/expand/) only adds: the previous release keeps
  working on the expanded schema;
- then the online data migrations (data_migrations.py) move data in
  small batches while both releases run;
- contract (versions/contract/) removes what only the previous release
  used, once none of it runs and no data is left to move.

A contract revision that needs an expand revision says so with
depends_on. Everything not on the contract branch (the history before
the split included) is on the expand side. Nothing here does I/O: the
graph's sides come from scripts.Scripts.phase_sides(), the row counts
from online_migrations.left().
"""

import dataclasses

from webdemo import exception

EXPAND = 'expand'
CONTRACT = 'contract'
PHASES = (EXPAND, CONTRACT)


def target(phase):
    """The Alembic target that upgrades one phase to its head."""
    return f'{phase}@head'


@dataclasses.dataclass(frozen=True)
class Sides:
    """Which revisions belong to which phase.

    :ivar expand: every revision up to expand@head, the history before
        the split included
    :ivar contract: the revisions of the contract branch
    """
    expand: frozenset
    contract: frozenset = frozenset()


def split(plan, sides):
    """An upgrade plan as (expand part, contract part), each in order.

    Expand revisions never depend on contract ones, so the expand part
    can always run first. A checkpoint (history/checkpoints.py), which
    only an empty database starts from, is in the expand part: it may
    stand for contract revisions of earlier releases.
    """
    contract = [script for script in plan if script.revision in sides.contract]
    return [script for script in plan
            if script.revision not in sides.contract], contract


def pending(sides, applied):
    """(expand revisions, contract revisions) not in applied, sorted."""
    return (tuple(sorted(sides.expand - applied)),
            tuple(sorted(sides.contract - applied)))


def still_needed(migrations, applied):
    """The registered migrations whose contract revision has not run.

    Once it has run, the column a migration reads may be gone: the
    migration has nothing to do, and must not be asked.
    """
    return tuple(migration for migration in migrations
                 if migration.before not in applied)


def check_contract_ready(expand_pending, data_left, expanded=False,
                         services=()):
    """Raise unless the contract phase may run now.

    :param expand_pending: expand revisions not applied yet
    :param data_left: rows each needed online data migration still has
        to move, by name (a count, not a flag: rows the previous release
        wrote after the last run count)
    :param expanded: the command ran the expand phase just before
    :param services: live services whose release cannot run after the
        contract (services.blocking)
    :raises webdemo.exception.ContractNotReady: it may not
    """
    left = {name: count for name, count in data_left.items() if count}
    if expand_pending or left or services:
        raise exception.ContractNotReady(expand_pending, left, expanded,
                                         services)
