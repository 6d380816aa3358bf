"""The facts of each revision script, cached under the script's content.

To answer "what are the heads, is this revision known, which revisions
does the database's revision imply", a command needs every revision's
id and parents, but none of their code. Alembic learns them by executing
every revision file, which at a few hundred revisions costs more than
the command itself. The index reads each file's bytes instead (it needs
their sha256 anyway, for the journal's changed-script check) and
executes only the files whose content it has not seen before.

Why a stale cache cannot mislead: facts are cached under the sha256 of
the file's content, never under its name, size or time stamps. A file
edited in any way hashes differently and is executed afresh; a file
added is new content; a file removed is simply not listed. The cache is
versions/__pycache__/webdemo-script-index.json, beside Python's own
bytecode for the same files; where it cannot be read or written, every
file is executed, as Alembic would.
"""

import dataclasses
import hashlib
import json
import logging
import os
import re
import tempfile

from alembic.script import revision as alembic_revision
from alembic import util as alembic_util

LOG = logging.getLogger(__name__)

CACHE_NAME = 'webdemo-script-index.json'
_FORMAT = 1
# The files Alembic takes for revisions (its _only_source_rev_file).
_REVISION_FILE = re.compile(r'(?!\.#|__init__).*\.py$')


@dataclasses.dataclass(frozen=True)
class Facts:
    """What the graph needs of one revision file."""
    revision: str
    down_revision: tuple
    branch_labels: tuple
    depends_on: tuple
    doc: str


class IndexedScript(alembic_revision.Revision):
    """A revision known from the index; its module loads on first use.

    It offers what webdemo and Alembic's migration steps use of an
    alembic.script.Script: revision, down_revision, branch_labels and
    dependencies, path, doc, module; and checksum, the sha256 of the
    file's content.
    """

    def __init__(self, facts, path, checksum, module=None):
        super().__init__(facts.revision, facts.down_revision or None,
                         dependencies=facts.depends_on or None,
                         branch_labels=facts.branch_labels)
        self.path = path
        self.checksum = checksum
        self.doc = facts.doc
        self._loaded = module

    @property
    def module(self):
        """The revision's module, loaded now (or handed over once).

        Not kept: a sync of a thousand revisions holds one module at a
        time, not a thousand.
        """
        module, self._loaded = self._loaded, None
        return module or alembic_util.load_python_file(
            *os.path.split(self.path))


def checksum(content):
    """The sha256 of a revision file's content, as the journal keeps it."""
    return hashlib.sha256(content).hexdigest()


def read(versions):
    """An IndexedScript for every revision file in the directory versions.

    :param versions: the Alembic versions directory
    """
    cache = os.path.join(versions, '__pycache__', CACHE_NAME)
    known = _load(cache)
    found, scripts = {}, []
    for name in sorted(os.listdir(versions)):
        path = os.path.join(versions, name)
        if not _REVISION_FILE.match(name) or not os.path.isfile(path):
            continue
        with open(path, 'rb') as source:
            digest = checksum(source.read())
        module = None
        facts = known.get(digest)
        if facts is None:
            module = alembic_util.load_python_file(versions, name)
            facts = _facts_of(module)
        found[digest] = facts
        scripts.append(IndexedScript(facts, path, digest, module))
    if found != known:
        _save(cache, found)
    return scripts


def _facts_of(module):
    doc = (module.__doc__ or '').strip()
    return Facts(
        revision=module.revision,
        down_revision=alembic_util.to_tuple(module.down_revision, ()),
        branch_labels=alembic_util.to_tuple(
            getattr(module, 'branch_labels', None), ()),
        depends_on=alembic_util.to_tuple(
            getattr(module, 'depends_on', None), ()),
        # As Alembic's Script.doc: the docstring's first paragraph.
        doc=re.split('\n\n', doc)[0])


def _load(cache):
    try:
        with open(cache, encoding='utf-8') as stored:
            data = json.load(stored)
        if data.get('format') != _FORMAT:
            return {}
        return {digest: _facts_from_json(fields)
                for digest, fields in data['scripts'].items()}
    except (OSError, ValueError, TypeError, KeyError, AttributeError):
        # Missing, unreadable or not ours: learn every file again.
        return {}


def _facts_from_json(fields):
    return Facts(**{name: tuple(value) if isinstance(value, list) else value
                    for name, value in fields.items()})


def _save(cache, found):
    data = {'format': _FORMAT, 'scripts': {
        digest: dataclasses.asdict(facts) for digest, facts in found.items()}}
    try:
        os.makedirs(os.path.dirname(cache), exist_ok=True)
        # Written aside, then renamed: concurrent commands each see a
        # whole file, theirs or another's.
        with tempfile.NamedTemporaryFile(
                'w', dir=os.path.dirname(cache), prefix='.index-',
                delete=False, encoding='utf-8') as spare:
            json.dump(data, spare)
        os.replace(spare.name, cache)
    except OSError:
        LOG.debug('cannot write the script index %s', cache, exc_info=True)
        spare = locals().get('spare')
        if spare is not None and os.path.exists(spare.name):
            os.unlink(spare.name)
