"""Before a phase runs: its revisions' data checks, run and judged.

A revision declares what its data must satisfy (data_checks, see
webdemo/db/sqlalchemy/data_checks.py). find() runs the checks of the
revisions a command is about to run, on one connection, and returns
those that fail; refuse(), pure, turns the first into the refusal.
db sync asks before each phase's first statement, under the migration
lock (rolling/upgrade.py); db check --data asks for every pending
revision and changes nothing.

Only revisions whose file declares checks (the script index notes it)
are loaded to read them.
"""

import dataclasses

import sqlalchemy as sa

from webdemo import exception


@dataclasses.dataclass(frozen=True)
class Finding:
    """A check that fails: the revision declaring it, the check, the rows.

    :ivar failing: a data_checks.Failing
    """
    revision: str
    check: object
    failing: object

    def failure(self):
        """'its data check "..." fails on N rows (one: ...)'."""
        rows = self.failing.rows
        one = (f' (one: {self.failing.example})' if self.failing.example
               else '')
        return (f'its data check "{self.check.describe()}" fails on '
                f'{rows} row{"" if rows == 1 else "s"}{one}')

    def remedy(self):
        """The check's fix, as the start of a sentence."""
        fix = self.check.fix()
        return fix[:1].upper() + fix[1:]


def require(engine, scripts, expanded=False):
    """Refuse if a check of scripts fails on engine's database.

    :param scripts: the revisions about to run, in the order they run
    :param expanded: the command applied the expand phase before
    :raises webdemo.exception.DataCheckFailed: a check fails
    """
    refuse(find(engine, scripts), expanded)


def find(engine, scripts):
    """The checks of scripts that fail on engine's database, in order.

    :param scripts: the revisions about to run, in the order they run
    """
    declared = [(script.revision, check) for script in scripts
                if getattr(script, 'declares_data_checks', True)
                for check in getattr(script.module, 'data_checks', ())]
    if not declared:
        return []
    with engine.connect() as connection:
        present = _columns(connection, {table for _, check in declared
                                        for table in check.needs()})
        return [Finding(revision, check, failing)
                for revision, check in declared
                if can_run(check, present)
                for failing in [check.failing(connection)] if failing.rows]


def refuse(findings, expanded=False):
    """Raise the refusal the first finding calls for, if any.

    :param expanded: the command applied the expand phase before
    :raises webdemo.exception.DataCheckFailed: a check fails
    """
    if findings:
        first = findings[0]
        raise exception.DataCheckFailed(first.revision, first.failing.rows,
                                        first.failure(), first.remedy(),
                                        expanded)


def _columns(connection, tables):
    """The columns of each table the database has, by table name."""
    inspector = sa.inspect(connection)
    found = {}
    for table in tables:
        if inspector.has_table(table):
            found[table] = {column['name']
                            for column in inspector.get_columns(table)}
    return found


def can_run(check, present):
    """Does the database have every table and column check reads?

    One that is missing is made by an earlier revision of the plan:
    nothing the operator holds can fail the check yet.
    """
    return all(table in present and set(columns) <= present[table]
               for table, columns in check.needs().items())
