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

Reading every file to hash it is most of what db version spends on the
graph at a thousand revisions, so the sha256 itself is remembered too,
under the file's name and stat signature (size, mtime, ctime, inode), as
git's index does. Any write changes ctime, which no one can set back
(os.utime sets it to now), and a replaced file has a new inode; a file
whose times are not safely older than the scan that hashed it (within
RACY_NS of the scan's start, where a second change could leave the same
times) is hashed again whatever its signature says.

Alembic is imported only to execute a file the index has not seen (or
a revision's module when it runs): db version, which monitoring calls
all day, never pays for the import.
"""

import dataclasses
import hashlib
import json
import logging
import os
import re
import stat
import tempfile
import time

LOG = logging.getLogger(__name__)

CACHE_NAME = 'webdemo-script-index.json'
_FORMAT = 9
# A file changed this close to the cache's writing may change again
# without its times moving (coarse time stamps): hash it again.
RACY_NS = 2 * 10 ** 9
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
    # Whether the file uses Alembic's autocommit_block, itself or
    # through online_ddl: such a revision must start outside any
    # transaction (runner.py).
    outside_transaction: bool = False
    # The sha256 of earlier released versions of the file that the
    # revision declares equivalent (replaces_checksums): a database
    # where one of them ran has not had its script changed under it.
    replaces: tuple = ()
    # Whether the file declares data checks (data_checks): only such a
    # revision is loaded before its phase runs, to run them.
    data_checks: bool = False
    # The release that retired it into a checkpoint (its file deleted;
    # its facts are the checkpoint's): None for a revision with a file.
    retired_in: str = None


@dataclasses.dataclass
class Entry:
    """One revision file: where it is, its content's sha256, its facts.

    :ivar module: the module, when reading it had to execute the file;
        handed over once (take_module), so that a command that then runs
        the revision does not execute the file twice
    """
    path: str
    checksum: str
    facts: Facts
    module: object = None

    def take_module(self):
        """The revision's module: the one read executed, or loaded now."""
        module, self.module = self.module, None
        return module or load_module(self.path)


def load_module(path):
    """Execute one revision file, as Alembic does, and return its module."""
    # Imported here: only a file not seen before, or a revision about
    # to run, needs it.
    from alembic import util as alembic_util

    return alembic_util.load_python_file(*os.path.split(path))


def checksum(content):
    """The sha256 of a revision file's content, as the journal keeps it."""
    return hashlib.sha256(content).hexdigest()


def read(versions):
    """An Entry for every revision file in the directory versions, by name.

    :param versions: the Alembic versions directory
    """
    cache = os.path.join(versions, '__pycache__', CACHE_NAME)
    known, hashed, written_ns = _load(cache)
    # Files are stat'ed from now on: an edit after its file's stat must
    # look racy to the next scan, however long this one takes.
    scanned_ns = time.time_ns()
    found, signatures, entries = {}, {}, []
    for name in sorted(os.listdir(versions)):
        path = os.path.join(versions, name)
        signature = _signature(path) if _REVISION_FILE.match(name) else None
        if signature is None:
            continue
        digest = _trusted(hashed.get(name), signature, written_ns)
        if digest is None:
            with open(path, 'rb') as source:
                digest = checksum(source.read())
        module = None
        facts = known.get(digest)
        if facts is None:
            module = load_module(path)
            facts = _facts_of(module, path)
        found[digest] = facts
        signatures[name] = [*signature, digest]
        entries.append(Entry(path, digest, facts, module))
    if found != known or signatures != hashed or _racy(
            signatures.values(), written_ns):
        _save(cache, found, signatures, scanned_ns)
    return entries


def _signature(path):
    """(size, mtime, ctime, inode, device) of a regular file, or None."""
    try:
        found = os.stat(path)
    except FileNotFoundError:
        return None
    if not stat.S_ISREG(found.st_mode):
        return None
    return [found.st_size, found.st_mtime_ns, found.st_ctime_ns,
            found.st_ino, found.st_dev]


def _trusted(stored, signature, written_ns):
    """The stored sha256 if the file is certainly unchanged since."""
    if stored is None or stored[:-1] != signature:
        return None
    if max(signature[1], signature[2]) >= written_ns - RACY_NS:
        return None
    return stored[-1]


def _racy(signatures, written_ns):
    """Was any file changed too close to the cache's writing to trust?"""
    return any(max(mtime, ctime) >= written_ns - RACY_NS
               for _, mtime, ctime, *_ in signatures)


# What a revision file says when it must start outside any transaction:
# Alembic's autocommit_block, or online_ddl's index builds and NOT NULL,
# which use it on PostgreSQL.
_OUTSIDE_TRANSACTION = ('autocommit_block', 'online_ddl.create_indexes',
                        'online_ddl.set_not_null')


def _facts_of(module, path):
    doc = (module.__doc__ or '').strip()
    with open(path, encoding='utf-8') as source:
        text = source.read()
    outside_transaction = any(mark in text for mark in _OUTSIDE_TRANSACTION)
    return Facts(
        revision=module.revision,
        down_revision=_as_tuple(module.down_revision),
        branch_labels=_as_tuple(getattr(module, 'branch_labels', None)),
        depends_on=_as_tuple(getattr(module, 'depends_on', None)),
        # As Alembic's Script.doc: the docstring's first paragraph.
        doc=re.split('\n\n', doc)[0],
        outside_transaction=outside_transaction,
        replaces=_as_tuple(getattr(module, 'replaces_checksums', None)),
        data_checks=bool(getattr(module, 'data_checks', ())))


def _as_tuple(value):
    """A revision file's name-or-names attribute as a tuple.

    As Alembic's to_tuple: None is empty, a string is one name.
    """
    if value is None:
        return ()
    if isinstance(value, str):
        return (value,)
    return tuple(value)


def _load(cache):
    """(facts by sha256, [signature..., sha256] by name, scanned at).

    Scanned at: when the scan that wrote the cache began, or the cache's
    own mtime (the files' clock) if that is earlier.
    """
    try:
        with open(cache, encoding='utf-8') as stored:
            written_ns = os.fstat(stored.fileno()).st_mtime_ns
            data = json.load(stored)
        if data.get('format') != _FORMAT:
            return {}, {}, 0
        written_ns = min(written_ns, int(data['scanned_ns']))
        facts = {digest: _facts_from_json(fields)
                 for digest, fields in data['scripts'].items()}
        hashed = {name: list(signature)
                  for name, signature in data['files'].items()}
        return facts, hashed, written_ns
    except (OSError, ValueError, TypeError, KeyError, AttributeError):
        # Missing, unreadable or not ours: learn every file again.
        return {}, {}, 0


def _facts_from_json(fields):
    return Facts(**{name: tuple(value) if isinstance(value, list) else value
                    for name, value in fields.items()})


def _save(cache, found, signatures, scanned_ns):
    write_atomically(cache, {
        'format': _FORMAT, 'scanned_ns': scanned_ns,
        'scripts': {digest: dataclasses.asdict(facts)
                    for digest, facts in found.items()},
        'files': signatures})


def write_atomically(path, data):
    """Write data as JSON to path; a cache, so failing is only logged."""
    try:
        os.makedirs(os.path.dirname(path), exist_ok=True)
        # Written aside, then renamed: concurrent commands each see a
        # whole file, theirs or another's.
        with tempfile.NamedTemporaryFile(
                'w', dir=os.path.dirname(path), prefix='.index-',
                delete=False, encoding='utf-8') as spare:
            json.dump(data, spare)
        os.replace(spare.name, path)
    except OSError:
        LOG.debug('cannot write the cache %s', path, exc_info=True)
        spare = locals().get('spare')
        if spare is not None and os.path.exists(spare.name):
            os.unlink(spare.name)
