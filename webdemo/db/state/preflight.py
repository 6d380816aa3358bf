"""Pre-flight: server settings under which a migration must not start.

Pure: problems() judges what reader.server_settings() read. MySQL and
MariaDB only (PostgreSQL and SQLite have nothing here); most checks
matter on a Galera cluster, where a wrong setting makes DDL or rows
replicate wrongly or not at all, and the damage shows on another node,
later. db sync and db downgrade refuse before their first statement
(exit 9); db check reports the same problems.
"""

import dataclasses

from webdemo import exception

# wsrep_mode / pxc_strict_mode values under which the cluster itself
# refuses to write to a table without a primary key.
_PRIMARY_KEY_MODES = {'REQUIRED_PRIMARY_KEY', 'ENFORCING', 'MASTER'}


@dataclasses.dataclass(frozen=True)
class ServerSettings:
    """What was read from a MySQL/MariaDB server and its database.

    :ivar galera: wsrep_on is ON
    :ivar variables: lower-cased name -> value, for wsrep_mode,
        pxc_strict_mode, wsrep_osu_method, binlog_format (those present)
    :ivar status: lower-cased name -> value, for
        wsrep_local_state_comment and wsrep_cluster_status
    :ivar tables: (name, engine, has_primary_key) for each base table
    """
    galera: bool
    variables: dict
    status: dict
    tables: tuple = ()


@dataclasses.dataclass(frozen=True)
class Problem:
    """One unsafe setting: what it is, what was found, how to fix it."""
    setting: str
    found: str
    fix: str

    def __str__(self):
        return f'{self.setting} is {self.found}: {self.fix}'


# What a Galera node outside the primary component (or still joining)
# answers to anything but SHOW: it cannot even be connected to by
# SQLAlchemy, whose first connection ends with a ROLLBACK.
NODE_NOT_READY = Problem(
    'wsrep_ready', 'OFF',
    'this Galera node is outside the primary component or not yet '
    'synced; run the command through a synced node of the primary '
    'component')


def check(settings):
    """Raise UnsafeServerSettings if settings have any problem."""
    found = problems(settings)
    if found:
        raise exception.UnsafeServerSettings(found)


def problems(settings):
    """Every reason not to migrate under settings; [] when none."""
    if settings is None:
        return []
    return [*_cluster_problems(settings), *_table_problems(settings)]


# (where it is read, its name there, the value needed, the name shown,
# the fix), for a Galera node.
_CLUSTER_RULES = (
    ('status', 'wsrep_local_state_comment', 'Synced',
     'wsrep_local_state_comment',
     'this node is not Synced with its cluster; wait until it is, or run '
     'the command through a synced node'),
    ('status', 'wsrep_cluster_status', 'Primary', 'wsrep_cluster_status',
     'this node is cut off from the primary component; run the command '
     'through a node of the primary component'),
    ('variables', 'wsrep_osu_method', 'TOI', 'wsrep_OSU_method',
     "DDL would change this node only; SET GLOBAL wsrep_OSU_method = 'TOI' "
     "(and in the server's configuration) before migrating"),
    ('variables', 'binlog_format', 'ROW', 'binlog_format',
     "Galera replicates rows only; set binlog_format = ROW in every node's "
     'configuration and restart it'),
)


def _cluster_problems(settings):
    if not settings.galera:
        return
    for where, name, needed, shown, fix in _CLUSTER_RULES:
        found = getattr(settings, where).get(name, needed)
        if found.upper() != needed.upper():
            yield Problem(shown, found, fix)


def _table_problems(settings):
    primary_key_rule = _primary_key_rule(settings)
    for name, engine, has_primary_key in settings.tables:
        if primary_key_rule and not has_primary_key:
            yield Problem(f'the primary key of table {name}', 'missing',
                          f'{primary_key_rule}; add one (ALTER TABLE {name} '
                          'ADD PRIMARY KEY ...) or drop the table')
        if engine and engine.upper() != 'INNODB':
            yield Problem(f'the engine of table {name}', engine,
                          'webdemo needs InnoDB (transactions; and Galera '
                          f'replicates only InnoDB); ALTER TABLE {name} '
                          'ENGINE = InnoDB')


def _primary_key_rule(settings):
    """Why a table needs a primary key here, or None."""
    for name in ('wsrep_mode', 'pxc_strict_mode'):
        value = settings.variables.get(name, '')
        modes = {mode.strip().upper() for mode in value.split(',')}
        if modes & _PRIMARY_KEY_MODES:
            return f'{name} = {value} requires one'
    if settings.galera:
        return 'Galera needs one to replicate the rows of a table'
    return None
