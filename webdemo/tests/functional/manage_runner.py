"""Run the installed webdemo-manage in a child process, as operators do."""

import os
import shutil
import subprocess
import sys

import sqlalchemy

VERSIONS_DIR = os.path.join(
    os.path.dirname(__file__), '..', '..', 'db', 'sqlalchemy', 'alembic',
    'versions')


def manage_command():
    """The webdemo-manage console script installed beside this Python."""
    path = shutil.which('webdemo-manage',
                        path=os.path.dirname(sys.executable))
    if path is None:
        raise AssertionError(
            'webdemo-manage is not installed beside this Python: install '
            'webdemo (pip install -e .) or run the tests through tox.')
    return path


def clean_environment(home, **extra):
    """The environment without oslo.config variables, HOME set to home."""
    env = {name: value for name, value in os.environ.items()
           if not name.startswith('OS_')}
    env.update(HOME=home, **extra)
    return env


def run(args, env, cwd):
    return subprocess.run([manage_command(), *args], env=env, cwd=cwd,
                          capture_output=True, text=True, timeout=120)


def revisions_on_disk():
    """Revision ids as the files in versions/ name them."""
    return sorted(name.split('_', 1)[0] for name in os.listdir(VERSIONS_DIR)
                  if name.endswith('.py') and not name.startswith('_'))


def schema_snapshot(engine):
    """Tables, their columns, and the recorded revisions.

    This is what a failed command must leave as it found it.
    """
    with engine.connect() as connection:
        inspector = sqlalchemy.inspect(connection)
        tables = {table: sorted(column['name'] for column in
                                inspector.get_columns(table))
                  for table in inspector.get_table_names()}
        versions = []
        if 'alembic_version' in tables:
            versions = sorted(row[0] for row in connection.execute(
                sqlalchemy.text('SELECT version_num FROM alembic_version')))
    return tables, versions
