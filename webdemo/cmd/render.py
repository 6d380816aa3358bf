"""How webdemo-manage shows results: text for people, JSON for tools.

JSON output is one object per command on one line, with stable keys
(README lists them); its "exit_code" is the process's exit code.
"""

import dataclasses
import json
import os
import sys


def say(line=''):
    """Print one line now; if the reader has gone, drop the rest.

    A closed stdout (`db history | head -1`) must never cut a migration
    short, so the command carries on with its output going nowhere.
    """
    try:
        print(line, flush=True)
    except BrokenPipeError:
        silence_stdout()


def complain(line):
    """One line on stderr, as every error of webdemo-manage is."""
    print(f'webdemo-manage: error: {line}', file=sys.stderr, flush=True)


def quiet(*_):
    """A report that shows nothing (JSON output shows the end only)."""


def silence_stdout():
    devnull = os.open(os.devnull, os.O_WRONLY)
    os.dup2(devnull, sys.stdout.fileno())
    os.close(devnull)


def emit_json(command, exit_code, **fields):
    fields = {name: _plain(value) for name, value in fields.items()}
    say(json.dumps({'command': command, 'exit_code': exit_code, **fields},
                   sort_keys=True))


def _plain(value):
    if dataclasses.is_dataclass(value):
        return dataclasses.asdict(value)
    if isinstance(value, (list, tuple)):
        return [_plain(item) for item in value]
    return value


def _ids(revisions):
    return ', '.join(revisions) or 'none'


def version(state, verbose=False, messages=None):
    """Text for db version; messages maps revision ids to titles."""
    messages = messages or {}
    say(f'Current revision: {_ids(state.current)}')
    if verbose:
        for revision in state.current:
            say(f'  {revision}: {messages.get(revision, "(unknown)")}')
    say(f'Head revision: {_ids(state.heads)}')
    if verbose:
        for revision in state.heads:
            say(f'  {revision}: {messages.get(revision, "")}')
    if state.legacy_version is not None:
        say(f'Legacy sqlalchemy-migrate version: {state.legacy_version} '
            f'(maps to {state.legacy_revision or "no revision"})')
    for revision in state.interrupted:
        say(_failed(state, revision, 'db sync') or
            f'Interrupted: {revision} (the next db sync completes it)')
    for revision in state.interrupted_downgrades:
        say(_failed(state, revision, 'the same db downgrade') or
            f'Interrupted downgrade: {revision} (run the same db downgrade '
            'again to complete it)')
    for revision in state.changed_scripts:
        say(f'Changed since applied: {revision}')
    _phases(state)
    say(f'Status: {state.status.words}')


def _failed(state, revision, command):
    """The line for a revision whose last run the database refused."""
    error = state.failed.get(revision)
    if error is None:
        return None
    return (f'Failed: {revision}: {error} (the database refused it: fix '
            f'the cause, then run {command} again)')


def _phases(state):
    """Where each phase of the upgrade stands, once there is a version."""
    if not state.current:
        return
    say(f'Expand: {_pending(state.expand_pending)}')
    if any(state.data_migrations.values()):
        rows = ', '.join(f'{name} {count}'
                         for name, count in state.data_migrations.items())
        say(f'Data migrations: {sum(state.data_migrations.values())} rows '
            f'to move ({rows})')
    say(f'Contract: {_pending(state.contract_pending)}')


def _pending(revisions):
    return f'pending ({", ".join(revisions)})' if revisions else 'done'


def revision_line(info):
    marks = [name for name, on in (
        ('head', info.is_head), ('base', info.is_base),
        ('branchpoint', info.is_branch_point),
        ('mergepoint', info.is_merge_point)) if on] + list(
            info.branch_labels) + (
        [f'retired into the checkpoint of {info.retired_in}']
        if info.retired_in else [])
    parents = _ids(info.down_revisions) if info.down_revisions else 'base'
    flags = f' ({", ".join(marks)})' if marks else ''
    return f'{parents} -> {info.revision}{flags}: {info.message}'


def revision_details(info):
    if info.applied_at:
        took = f'{info.duration:.3f}s' if info.duration is not None else '?'
        say(f'  applied: {info.applied_at} UTC, took {took}')
    say(f'  path: {info.path}')
    if info.branch_labels:
        say(f'  branch labels: {", ".join(info.branch_labels)}')
    if info.downgrade_drops:
        say(f'  downgrade drops: {", ".join(info.downgrade_drops)}')


def history(infos, verbose=False):
    for info in infos:
        say(f'[{"x" if info.applied else " "}] {revision_line(info)}')
        if verbose:
            revision_details(info)


def revision_list(infos, verbose=False):
    for info in infos:
        say(revision_line(info))
        if verbose:
            revision_details(info)


def differences(found):
    for difference in found:
        say(difference.detail)
    if not found:
        say('No differences: the database matches the models.')


class DataProgress:
    """The online data migrations moving, shown as they go.

    On a terminal, a bar for each migration (tqdm): rows moved of those
    found at the start, the rate and the time left, cleared when the
    run is over. Elsewhere (a log, a pipe) nothing per batch: thousands
    of lines say less than the one line per migration that follows
    (online_migrations.Result.summary).
    """

    def __init__(self, terminal=None, refresh=0.1):
        """:param refresh: seconds at least between two draws of a bar"""
        self._terminal = (sys.stdout.isatty() if terminal is None
                          else terminal)
        self._refresh = refresh
        self._bars = {}

    def batch(self, result, rows):
        if not self._terminal:
            return
        bar = self._bars.get(result.name)
        if bar is None:
            # Imported here: only a person watching needs it.
            import tqdm

            bar = self._bars[result.name] = tqdm.tqdm(
                total=result.at_start or None, desc=result.name,
                unit=' rows', unit_scale=True, leave=False, file=sys.stdout,
                dynamic_ncols=True, mininterval=self._refresh)
        bar.update(rows)

    def done(self):
        for bar in self._bars.values():
            bar.close()
        self._bars.clear()


def data_summaries(results):
    """One line for each migration that moved rows or failed."""
    for result in results:
        if result.completed or result.error:
            say(result.summary())


def data_migrations(results):
    """The closing table: migration, total needed, completed, left."""
    if not results:
        say('No online data migrations are registered: nothing to do.')
        return
    width = max(len('Migration'), *(len(result.name) for result in results))
    say(f'{"Migration":{width}}  Total needed  Completed  Left')
    for result in results:
        left = '?' if result.left is None else result.left
        say(f'{result.name:{width}}  {result.total_needed:12}  '
            f'{result.completed:9}  {left:>4}')
