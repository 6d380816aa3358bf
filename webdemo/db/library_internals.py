"""Every use of Alembic, oslo.db and SQLAlchemy below their documented APIs.

webdemo drives Alembic from inside Alembic's own step callback, so that
a sync runs env.py once and writes its bookkeeping itself
(runner.py, doc/source/performance.rst), and it adjusts two of oslo.db's
and SQLAlchemy's habits for safety (doc/source/migration-safety.rst).
Each such use reaches below what the library documents, so a release of
it may change it without notice. They are all here, each with why, and
each is pinned by a unit test (webdemo/tests/unit/test_library_internals.py)
that fails on a release that changes it; requirements.txt bounds the
releases tested.

1. migration_step(): Alembic's MigrationStep, made from one revision.
   The runner calls the revision's function through it (run_step()) and
   asks it which alembic_version rows it changes (version_row_change(),
   the decisions of Alembic's HeadMaintainer, in its order), so that
   Alembic still decides the rows while webdemo writes them with
   statements built once.
2. begin_step_transaction(): MigrationContext.begin_transaction with
   ``_per_migration=True``, the transaction Alembic's own loop gives each
   revision under ``transaction_per_migration``; webdemo's loop gives
   each revision the same, so autocommit_block works as in Alembic.
3. use_revision_map(): ScriptDirectory.revision_map replaced by one built
   from the script index, whose revisions load their module only when
   they run; Alembic would execute every revision file to build its own.
4. sqlite_transaction_marked(), mark_sqlite_transaction(): oslo.db's
   ``in_transaction`` mark on a SQLite connection, which its own
   ``begin`` listener reads and its commit and rollback listeners clear:
   set once webdemo has begun the transaction with BEGIN IMMEDIATE
   (backends/sqlite.py), so that oslo.db's listener sends no second
   BEGIN.
5. stamp_step(): Alembic's StampStep, which inserts one version row and
   runs nothing, given a function to run: a checkpoint's steps (its
   operations, then a row for each of its heads), which Alembic's
   offline mode and the runner's version rows take as any step.
6. commit_inside_execution(): a commit from inside a statement's
   ``before_cursor_execute`` listener, where Connection.commit() cannot
   run: the connection's commit listeners (the Galera lease's fence)
   first, then the DBAPI connection's commit
   (run_strategies.CarriedCommit).

Alembic is imported by the functions that use it: engines need this
module, and db version, which monitoring runs all day, never pays for
Alembic's import (performance.rst).
"""

_OSLO_DB_TRANSACTION_MARK = 'in_transaction'


def migration_step(revision_map, script, upgrade):
    """Alembic's MigrationStep that runs script up (or down).

    :param revision_map: the RevisionMap script belongs to
    :param upgrade: True for an upgrade step, False for a downgrade
    """
    from alembic.runtime import migration as alembic_migration

    step = alembic_migration.MigrationStep
    make = step.upgrade_from_script if upgrade else step.downgrade_from_script
    return make(revision_map, script)


def stamp_step(revision_map, head, fn=None):
    """A step that inserts the version row head, running fn (or nothing).

    :param revision_map: the RevisionMap head belongs to
    """
    from alembic.runtime import migration as alembic_migration

    step = alembic_migration.StampStep((), (head,), True, True, revision_map)
    if fn is not None:
        step.migration_fn = fn
        step.doc = 'checkpoint'
    return step


def run_step(step):
    """Run the revision function of a migration_step()."""
    step.migration_fn()


def version_row_change(step, heads):
    """(deletes, inserts, update) a step makes to the version rows heads.

    The same decisions, in the same order, as Alembic's own writer of the
    version table (its HeadMaintainer), asked of the step.

    :param heads: the set of rows before the step
    :returns: the rows to delete, the rows to insert, and (old, new) for
        the row to update, or None
    """
    if step.should_delete_branch(heads):
        return (step.delete_version_num,), (), None
    if step.should_create_branch(heads):
        return (), (step.insert_version_num,), None
    if step.should_merge_branches(heads):
        deletes, old, new = step.merge_branch_idents(heads)
        return tuple(deletes), (), (old, new)
    if step.should_unmerge_branches(heads):
        old, new, inserts = step.unmerge_branch_idents(heads)
        return (), tuple(inserts), (old, new)
    return (), (), step.update_version_num(heads)


def begin_step_transaction(context):
    """The transaction Alembic's loop gives one revision (a with block).

    :param context: the run's MigrationContext
    """
    return context.begin_transaction(_per_migration=True)


def use_revision_map(directory, revisions):
    """Make directory (a ScriptDirectory) plan over revisions.

    :param revisions: a callable returning the Revisions, as
        RevisionMap takes it
    """
    from alembic.script import revision as alembic_revision

    directory.revision_map = alembic_revision.RevisionMap(revisions)


def sqlite_transaction_marked(conn):
    """Whether oslo.db's SQLite listeners take a transaction as open."""
    return _OSLO_DB_TRANSACTION_MARK in conn.info


def mark_sqlite_transaction(conn):
    """Tell oslo.db's SQLite listeners that a transaction is open."""
    conn.info[_OSLO_DB_TRANSACTION_MARK] = True


def commit_inside_execution(conn, cursor):
    """Commit from a before_cursor_execute listener of conn.

    :param conn: the SQLAlchemy Connection running the statement
    :param cursor: the DBAPI cursor the statement will run on
    """
    conn.dispatch.commit(conn)
    cursor.connection.commit()
