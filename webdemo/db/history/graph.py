"""The revision graph as the reading commands need it, without Alembic.

``db version`` (which monitoring runs all day), the schema guard and a
``db sync`` with nothing to do ask the graph four things: the heads,
whether a revision is known, which revisions a database's current ones
imply, and which revisions are the contract phase's. Alembic answers
them by building its RevisionMap, which costs its import (a third of the
process floor, doc/source/performance.rst) and, at a thousand
revisions, a walk longer than the rest of the command.

So Alembic answers them once per set of revision files, and the answers
are kept: heads, the contract side and each revision's parents (down
revisions and resolved dependencies), under the sha256 of the sorted
checksums of every file (script_index.py reads those anyway). Any edit,
addition or removal changes that key, and the graph is computed again by
Alembic; a command that finds the key it needs reads only the answers.
What is left to compute here is the one walk that depends on the
database, every ancestor of its current revisions; its semantics are
Alembic's (down revisions and dependencies both imply a revision
applied), and the unit tests hold the two equal on every revision of
webdemo's history and of synthetic ones.
"""

import configparser
import dataclasses
import hashlib
import json
import logging
import os

from webdemo.db.history import checkpoints
from webdemo.db.history import phases
from webdemo.db.history import script_index
from webdemo import exception

LOG = logging.getLogger(__name__)

# webdemo/db/sqlalchemy/alembic.ini, beside this wing.
ALEMBIC_INI = os.path.join(os.path.dirname(os.path.dirname(__file__)),
                           'sqlalchemy', 'alembic.ini')
CACHE_NAME = 'webdemo-graph.json'
# The cache's key covers the revision files, not this code: change
# _FORMAT whenever derive() would answer differently.
_FORMAT = 1


def version_directories(ini=ALEMBIC_INI):
    """The directories alembic.ini lists revisions in.

    Read as Alembic reads them (version_locations, separated by spaces as
    path_separator says, %(here)s the ini's directory), without Alembic.
    """
    parser = configparser.ConfigParser(
        defaults={'here': os.path.dirname(os.path.abspath(ini))})
    parser.read(ini)
    locations = parser.get('alembic', 'version_locations', fallback='')
    if not locations.strip():
        return [os.path.join(parser.get('alembic', 'script_location'),
                             'versions')]
    return locations.split()


@dataclasses.dataclass(frozen=True)
class Graph:
    """What state.classify needs of the revision graph.

    :ivar entries: script_index.Entry of every revision, by revision id
    :ivar heads: the heads, sorted
    :ivar parents: for each revision, the revisions it implies applied
        directly (its down revisions and its resolved depends_on)
    :ivar contract: the revisions of the contract branch
    """
    entries: dict
    heads: tuple
    parents: dict
    contract: frozenset

    def is_known(self, revision):
        return revision in self.parents

    def applied(self, current):
        """Every revision the revisions in current imply as applied."""
        found, todo = set(), [rev for rev in current if rev]
        while todo:
            revision = todo.pop()
            if revision not in found:
                found.add(revision)
                todo.extend(self.parents[revision])
        return frozenset(found)

    @property
    def sides(self):
        """phases.Sides: the contract branch, and every other revision."""
        return phases.Sides(frozenset(self.parents) - self.contract,
                            self.contract)

    def checksum(self, revision):
        """The sha256 of a revision's script as it is now."""
        return self.entries[revision].checksum

    def accepts(self, revision, checksum):
        """Is checksum that of revision's script, now or as released?

        A revision fixed after its release names the released file's
        sha256 in replaces_checksums (doc/source/migration-safety.rst).
        """
        entry = self.entries[revision]
        return checksum == entry.checksum or checksum in entry.facts.replaces


def load(directories=None):
    """The Graph of the revision files in directories (alembic.ini's)."""
    directories = directories or version_directories()
    entries = {}
    for directory in directories:
        for entry in script_index.read(directory):
            _check_unique(entries.get(entry.facts.revision), entry)
            entries[entry.facts.revision] = entry
    found = _retired_into(entries, os.path.join(
        os.path.dirname(directories[0]), checkpoints.DIRECTORY_NAME))
    entries.update(checkpoints.retired(found, entries))
    # The checkpoints' own checksums too: a stand-in's facts are theirs.
    key = hashlib.sha256('\n'.join(sorted(
        [entry.checksum for entry in entries.values()]
        + [checkpoint.checksum for checkpoint in found])).encode()
    ).hexdigest()
    cache = os.path.join(directories[0], '__pycache__', CACHE_NAME)
    derived = _load(cache, key)
    if derived is None:
        derived = derive([entry.facts for entry in entries.values()])
        _save(cache, key, derived)
    heads, parents, contract = derived
    return Graph(entries, heads, parents, contract)


def _retired_into(entries, directory):
    """The checkpoints to take retired revisions from, or [].

    Read only when a release retired revisions below a checkpoint (in
    directory, beside the first version directory): a revision names a
    parent no file declares, or a checkpoint's heads (its file's name)
    have no file. Otherwise nothing is read: db version never pays.
    """
    if not (_names_missing(entries) or _heads_missing(entries, directory)):
        return []
    return checkpoints.load(directory)


def _heads_missing(entries, directory):
    """Has a checkpoint a head no file declares (all its revisions gone)?"""
    try:
        names = os.listdir(directory)
    except OSError:
        return False
    return any(head not in entries
               for name in names if name.endswith('.py')
               for head in name[:-len('.py')].split('_'))


def _names_missing(entries):
    """Does a revision name a parent no file declares?"""
    labels = {label for entry in entries.values()
              for label in entry.facts.branch_labels}
    return any(parent not in entries and parent not in labels
               for entry in entries.values()
               for parent in entry.facts.down_revision
               + entry.facts.depends_on)


def _check_unique(earlier, entry):
    """Refuse a revision id that two files declare (Alembic does too)."""
    if earlier is not None:
        raise exception.InvalidRevision(
            f'revision {entry.facts.revision} is declared by two files, '
            f'{earlier.path} and {entry.path}: remove the one that does '
            'not belong (a stale copy of a moved revision?).')


def derive(facts):
    """(heads, parents, contract side), as Alembic's RevisionMap has them.

    :param facts: script_index.Facts of every revision
    """
    # Imported here: only a set of revision files not seen before needs
    # Alembic's answers.
    from alembic.script import revision as alembic_revision

    revision_map = alembic_revision.RevisionMap(lambda: [
        alembic_revision.Revision(
            fact.revision, fact.down_revision or None,
            dependencies=fact.depends_on or None,
            branch_labels=fact.branch_labels)
        for fact in facts])
    parents = {}
    for fact in facts:
        dependencies = (revision_map.get_revision(name).revision
                        for name in fact.depends_on)
        parents[fact.revision] = tuple(dict.fromkeys(
            fact.down_revision + tuple(dependencies)))
    contract = frozenset(
        fact.revision for fact in facts if phases.CONTRACT in
        revision_map.get_revision(fact.revision).branch_labels)
    return tuple(sorted(revision_map.heads)), parents, contract


def _load(cache, key):
    try:
        with open(cache, encoding='utf-8') as stored:
            data = json.load(stored)
        if data.get('format') != _FORMAT or data.get('key') != key:
            return None
        return (tuple(data['heads']),
                {rev: tuple(parents)
                 for rev, parents in data['parents'].items()},
                frozenset(data['contract']))
    except (OSError, ValueError, TypeError, KeyError, AttributeError):
        # Missing, unreadable or not ours: ask Alembic again.
        return None


def _save(cache, key, derived):
    heads, parents, contract = derived
    script_index.write_atomically(cache, {
        'format': _FORMAT, 'key': key, 'heads': list(heads),
        'parents': {rev: list(found) for rev, found in parents.items()},
        'contract': sorted(contract)})
