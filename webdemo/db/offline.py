"""``db sync --sql``: the SQL an upgrade would run, written, not run.

Alembic's own offline upgrade does the work, started from the
database's current revision (``START:TARGET``) rather than from base.
Alembic's range takes one starting revision; a database at several
branch heads is handed to its environment directly, with the same plan
an online sync would run.
"""

from alembic.runtime import environment as alembic_environment

from webdemo.db import journal
from webdemo.db import scripts as scripts_module


def write_upgrade_sql(scripts, url, start, target, out):
    """Write the SQL that upgrades from start to target to out.

    :param scripts: the loaded scripts.Scripts
    :param url: the database URL (its dialect decides the SQL)
    :param start: the revisions the database is at (may be empty)
    :param target: the target revision, already checked
    :param out: a text stream
    """
    # Imported here, as in migration.py: the reading commands do not pay
    # for alembic.command and autogenerate.
    from alembic import command as alembic_command

    config = scripts_module.alembic_config(url=url)
    config.output_buffer = out
    if len(start) <= 1:
        alembic_command.upgrade(
            config, f'{start[0]}:{target}' if start else target, sql=True)
        return
    steps = [scripts.step(script, journal.Direction.UPGRADE)
             for script in scripts.upgrade_plan(target, start)]
    with alembic_environment.EnvironmentContext(
            config, scripts.directory, fn=lambda heads, context: steps,
            as_sql=True, starting_rev=start, destination_rev=target):
        scripts.directory.run_env()
