"""The rules doc/source/architecture.rst states about the db core, checked
on the code as it is: each fails naming the file that breaks it.
Read as text and syntax trees; nothing is imported or run."""

import ast
import os
import re

from oslotest import base

import webdemo

PACKAGE = os.path.dirname(webdemo.__file__)
DB = os.path.join(PACKAGE, 'db')
REVISIONS = os.path.join(DB, 'sqlalchemy', 'alembic', 'versions')
COMMANDS = ('webdemo.db.migration', 'webdemo.db.inspection',
            'webdemo.db.authoring')
# Uses of a library below its documented API, as written in the code.
_BELOW_API = re.compile(r'(?<!\w)_per_migration|\.revision_map\s*=|'
                        r"MigrationStep|info\[\S*'in_transaction'|"
                        r'\.dispatch\.commit\(')
_ASKS_THE_DATABASE = re.compile(
    r'dialect\.name\b|get_backend_name\(\)\s*[=!]=')


def _sources(top):
    for directory, _, names in os.walk(top):
        if '__pycache__' in directory or directory.startswith(REVISIONS):
            continue
        for name in names:
            if name.endswith('.py'):
                yield os.path.join(directory, name)


def _relative(path):
    return os.path.relpath(path, os.path.dirname(PACKAGE))


def _module(path):
    return _relative(path)[:-3].replace(os.sep, '.').removesuffix(
        '.__init__')


def _imports(path):
    """(module imported from, names) of each 'from webdemo... import'."""
    with open(path, encoding='utf-8') as source:
        tree = ast.parse(source.read())
    for node in ast.walk(tree):
        if (isinstance(node, ast.ImportFrom) and node.module
                and node.module.startswith('webdemo')):
            yield node.module, [alias.name for alias in node.names]


def _docstring_lines(text):
    """The line numbers of every docstring in a module's text."""
    lines = set()
    for node in ast.walk(ast.parse(text)):
        body = getattr(node, 'body', None)
        if (isinstance(body, list) and body
                and isinstance(body[0], ast.Expr)
                and isinstance(body[0].value, ast.Constant)
                and isinstance(body[0].value.value, str)):
            lines.update(range(body[0].lineno, body[0].end_lineno + 1))
    return lines


def _core_sources():
    return [path for path in _sources(DB)
            if not path.startswith(os.path.join(PACKAGE, 'tests'))]


class TestImportRules(base.BaseTestCase):

    def test_no_module_reaches_into_anothers_private_names(self):
        found = [f'{_relative(path)}: from {module} import {name}'
                 for path in _sources(PACKAGE)
                 if os.sep + 'tests' + os.sep not in path
                 for module, names in _imports(path)
                 for name in names
                 if (name.startswith('_') or any(
                     part.startswith('_') for part in module.split('.')))
                 and module != _module(path)]
        self.assertEqual([], found, 'a private name is its module\'s own: '
                         'make it public (and documented) or move the code')

    def test_the_db_core_never_imports_its_shells(self):
        found = [f'{_relative(path)}: {module}'
                 for path in _core_sources()
                 for module, _ in _imports(path)
                 if module.startswith(('webdemo.cmd', 'webdemo.api',
                                       'webdemo.wsgi'))]
        self.assertEqual([], found, 'the command line and the API call the '
                         'core, never the other way round')

    def test_only_the_command_modules_and_shells_import_the_commands(self):
        found = [f'{_relative(path)}: {module}.{name}'
                 for path in _core_sources()
                 if _module(path) not in COMMANDS
                 for module, names in _imports(path)
                 for name in names
                 if f'{module}.{name}' in COMMANDS or module in COMMANDS]
        self.assertEqual([], found, 'a wing of webdemo/db serves the '
                         'commands (migration, inspection, authoring); '
                         'it never calls one')


class TestOnePlaceEach(base.BaseTestCase):

    def _lines_matching(self, pattern, allowed):
        found = []
        for path in _core_sources():
            if path.startswith(allowed):
                continue
            with open(path, encoding='utf-8') as source:
                lines = source.read().splitlines()
            prose = _docstring_lines('\n'.join(lines))
            found += [f'{_relative(path)}:{number}'
                      for number, line in enumerate(lines, 1)
                      if number not in prose and pattern.search(
                          line.split('#')[0])]
        return found

    def test_only_backends_ask_which_database_this_is(self):
        self.assertEqual([], self._lines_matching(
            _ASKS_THE_DATABASE, os.path.join(DB, 'backends')),
            'what differs by database belongs in the backend classes '
            '(webdemo/db/backends/): add it to the protocol (base.py)')

    def test_only_the_adapter_goes_below_the_libraries_apis(self):
        adapter = os.path.join(DB, 'library_internals.py')
        self.assertEqual([], self._lines_matching(_BELOW_API, adapter), (
            'a use of Alembic, oslo.db or SQLAlchemy below their '
            'documented APIs goes in library_internals.py, with '
            'why and a pin test in test_library_internals'))
