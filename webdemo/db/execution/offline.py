"""``db sync --sql``: the SQL an upgrade would run, written, not run.

Alembic's offline mode writes the SQL of the same plan an online sync
would run, started from the database's current revisions rather than
from base, with the contract part last.
"""

from alembic.runtime import environment as alembic_environment

from webdemo.db.execution import journal
from webdemo.db.history import scripts as scripts_module


# Written between the expand and the contract part of a whole upgrade.
DATA_MIGRATIONS_NOTE = (
    '-- The contract phase follows. Before it, run '
    "'webdemo-manage db online_data_migrations'\n"
    '-- until it exits 0 (doc/source/rolling-upgrades.rst).\n')


def write_upgrade_sql(scripts, url, start, parts, out):
    """Write the SQL of an upgrade from start to out.

    :param scripts: the loaded scripts.Scripts
    :param url: the database URL (its dialect decides the SQL)
    :param start: the revisions the database is at (may be empty)
    :param parts: (expand plan, contract plan), each a list of scripts in
        the order they run, already checked
    :param out: a text stream
    """
    config = scripts_module.alembic_config(url=url)
    config.output_buffer = out
    # What has run before each revision: a table copy written for SQLite
    # (live_names.batch_alter_table) cannot read the table, and asks.
    ran = config.attributes[RAN] = [
        scripts.directory.get_revision(revision)
        for revision in sorted(scripts.applied(start))]
    expand, contract = parts
    with alembic_environment.EnvironmentContext(
            config, scripts.directory,
            fn=lambda heads, context: _steps(scripts, expand, contract, out,
                                             ran),
            as_sql=True, starting_rev=start or None):
        scripts.directory.run_env()


# config.attributes' key: the revision scripts run before the current one.
RAN = 'webdemo.offline_ran'


def _steps(scripts, expand, contract, out, ran):
    """Alembic asks for each step once the previous one is written."""
    for script in expand:
        yield from scripts.steps(script, journal.Direction.UPGRADE)
        ran.extend(scripts.applied_by(script))
    if expand and contract:
        out.write(DATA_MIGRATIONS_NOTE)
    for script in contract:
        yield from scripts.steps(script, journal.Direction.UPGRADE)
        ran.extend(scripts.applied_by(script))
