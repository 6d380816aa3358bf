"""The script index: the same graph as Alembic's own parse, and never a
stale one. Works on copies of the shipped revision files; no database."""

import os
import shutil

from alembic import script as alembic_script
from alembic.script import revision as alembic_revision
import fixtures
from oslotest import base

from webdemo.db.history import script_index
from webdemo.db.history import scripts
from webdemo.tests.unit import counting

SHIPPED = os.path.join(os.path.dirname(scripts.ALEMBIC_INI), 'alembic',
                       'versions')
EMAIL = 'b2237d3cc792'


def _graph(revisions, declared=lambda rev: rev.branch_labels):
    """What the graph is made of, per revision.

    :param declared: a revision's own branch labels, as its file gives
        them
    """
    return {rev.revision: (rev.down_revision, rev.dependencies,
                           tuple(sorted(declared(rev) or ())), rev.doc)
            for rev in revisions}


def _indexed(versions):
    """The index's entries of one directory, as Alembic Revisions."""
    return [scripts.IndexedScript(entry)
            for entry in script_index.read(versions)]


class TestScriptIndex(base.BaseTestCase):

    def setUp(self):
        super().setUp()
        self.versions = os.path.join(
            self.useFixture(fixtures.TempDir()).path, 'versions')
        shutil.copytree(SHIPPED, self.versions,
                        ignore=shutil.ignore_patterns('__pycache__'))
        self.loads = self.useFixture(
            counting.Counting('webdemo.db.history.script_index.load_module'))

    def path(self, revision):
        return next(os.path.join(self.versions, name)
                    for name in os.listdir(self.versions)
                    if name.startswith(revision))

    def test_the_same_graph_as_alembics_own_parse(self):
        config = scripts.alembic_config()
        alembic_dir = alembic_script.ScriptDirectory.from_config(config)
        # Alembic's map also lists, on each revision, the labels of the
        # branch it continues; the file's own are its module's.
        self.assertEqual(_graph(alembic_dir.walk_revisions(),
                                lambda rev: rev.module.branch_labels),
                         _graph(script for versions in
                                scripts.version_directories(alembic_dir)
                                for script in _indexed(versions)))

    def test_a_second_read_executes_no_revision_file(self):
        first = _indexed(self.versions)
        self.assertEqual(len(first), self.loads.calls)
        self.loads.calls = 0
        second = _indexed(self.versions)
        self.assertEqual(0, self.loads.calls)
        self.assertEqual(_graph(first), _graph(second))
        self.assertEqual([s.checksum for s in first],
                         [s.checksum for s in second])

    def test_modules_load_only_when_asked_for(self):
        script_index.read(self.versions)
        self.loads.calls = 0
        indexed = {s.revision: s for s in _indexed(self.versions)}
        self.assertEqual(0, self.loads.calls)
        self.assertTrue(callable(indexed[EMAIL].module.upgrade))
        self.assertEqual(1, self.loads.calls)

    def count_hashing(self):
        self.hashed = self.useFixture(
            counting.Counting('webdemo.db.history.script_index.checksum'))

    def test_unchanged_files_are_not_read_again(self):
        # No margin: the files are older than the cache from the start.
        self.useFixture(fixtures.MonkeyPatch(
            'webdemo.db.history.script_index.RACY_NS', 0))
        self.count_hashing()
        first = script_index.read(self.versions)
        self.assertEqual(5, self.hashed.calls)
        second = script_index.read(self.versions)
        self.assertEqual(5, self.hashed.calls)
        self.assertEqual([e.checksum for e in first],
                         [e.checksum for e in second])

    def test_files_changed_during_a_slow_scan_are_read_again(self):
        # The scan began long before the files' last change (as if an
        # edit came after its file's stat): not trusted, however late the
        # cache itself was written.
        self.useFixture(fixtures.MonkeyPatch(
            'webdemo.db.history.script_index.RACY_NS', 0))
        self.useFixture(fixtures.MonkeyPatch(
            'webdemo.db.history.script_index.time.time_ns', lambda: 0))
        self.count_hashing()
        script_index.read(self.versions)
        script_index.read(self.versions)
        self.assertEqual(10, self.hashed.calls)

    def test_files_changed_just_before_the_cache_are_read_again(self):
        # The copies were written within RACY_NS of the first read.
        self.count_hashing()
        script_index.read(self.versions)
        script_index.read(self.versions)
        self.assertEqual(10, self.hashed.calls)

    def test_an_edit_is_seen_with_a_cache_it_would_trust(self):
        self.useFixture(fixtures.MonkeyPatch(
            'webdemo.db.history.script_index.RACY_NS', 0))
        self.test_an_edit_is_seen_whatever_the_time_stamps_say()

    def test_an_edit_is_seen_whatever_the_time_stamps_say(self):
        script_index.read(self.versions)
        path = self.path(EMAIL)
        stat = os.stat(path)
        with open(path) as source:
            text = source.read()
        # Same length, same time stamps, another parent.
        edited = text.replace("down_revision = 'fac0847f78ff'",
                              "down_revision = '7dc0a5261bc4'")
        self.assertEqual(len(text), len(edited))
        with open(path, 'w') as source:
            source.write(edited)
        os.utime(path, ns=(stat.st_atime_ns, stat.st_mtime_ns))
        indexed = {s.revision: s for s in _indexed(self.versions)}
        self.assertEqual('7dc0a5261bc4', indexed[EMAIL].down_revision)

    def test_released_checksums_are_read_and_cached(self):
        with open(self.path(EMAIL), 'a') as source:
            source.write("replaces_checksums = ('0' * 64, '1' * 64)\n")
        for _ in range(2):
            entries = {entry.facts.revision: entry
                       for entry in script_index.read(self.versions)}
            self.assertEqual(('0' * 64, '1' * 64),
                             entries[EMAIL].facts.replaces)
            self.assertEqual((), entries['fac0847f78ff'].facts.replaces)

    def test_added_and_removed_files_are_seen(self):
        script_index.read(self.versions)
        os.unlink(self.path('948ccd040506'))
        revisions = {s.revision for s in _indexed(self.versions)}
        self.assertNotIn('948ccd040506', revisions)
        self.assertEqual(4, len(revisions))

    def test_a_corrupt_index_is_rebuilt(self):
        script_index.read(self.versions)
        cache = os.path.join(self.versions, '__pycache__',
                             script_index.CACHE_NAME)
        for garbage in ('{not json', '[]', '{"format": 3, "scripts": 3}',
                        '{"format": 3, "scripts": {"x": {"a": 1}}}',
                        '{"format": 3, "scripts": {}, "files": 7}',
                        '{"format": 3, "scripts": {}, "files": {}}'):
            with open(cache, 'w') as stored:
                stored.write(garbage)
            self.loads.calls = 0
            self.assertEqual(5, len(script_index.read(self.versions)))
            self.assertEqual(5, self.loads.calls, garbage)

    def test_an_unwritable_directory_still_works(self):
        def refused(*args, **kwargs):
            raise PermissionError(13, 'Permission denied')
        self.useFixture(fixtures.MonkeyPatch(
            'webdemo.db.history.script_index.tempfile.NamedTemporaryFile',
            refused))
        for _ in range(2):
            self.loads.calls = 0
            self.assertEqual(5, len(script_index.read(self.versions)))
            self.assertEqual(5, self.loads.calls)
        self.assertFalse(os.path.exists(os.path.join(
            self.versions, '__pycache__', script_index.CACHE_NAME)))

    def test_plans_over_the_index_match_alembics_own(self):
        ours = scripts.Scripts.load().directory
        theirs = alembic_script.ScriptDirectory.from_config(
            scripts.alembic_config())
        self.assertIsInstance(ours.revision_map, alembic_revision.RevisionMap)
        everything = [rev.revision for rev in theirs.walk_revisions()]
        for current in [()] + [(rev,) for rev in everything]:
            for target in ['heads', *everything]:
                self.assertEqual(*(
                    self._plan(directory, target, current)
                    for directory in (ours, theirs)), (target, current))

    @staticmethod
    def _plan(directory, target, current):
        try:
            return [rev.revision for rev in directory.iterate_revisions(
                target, current, implicit_base=True)]
        except alembic_revision.RevisionError as error:
            return type(error)
