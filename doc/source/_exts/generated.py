"""Pages written at build time from the code, before Sphinx reads them.

- _generated/revisions.dot: the shipped revision graph (db graph
  --no-database), drawn by sphinx.ext.graphviz;
- _generated/cli.rst: every webdemo-manage command's --help, and the
  exit codes, from the parser the command itself uses.
"""

import argparse
import os

from webdemo.cmd import exit_codes
from webdemo.cmd import manage_parser
from webdemo.db.history import drawing
from webdemo.db.history import scripts


def _write(app, name, text):
    folder = os.path.join(app.srcdir, '_generated')
    os.makedirs(folder, exist_ok=True)
    path = os.path.join(folder, name)
    # Written only when it changed: Sphinx rebuilds what it sees change.
    if os.path.exists(path):
        with open(path) as old:
            if old.read() == text:
                return
    with open(path, 'w') as out:
        out.write(text)


def _commands(parser, prefix):
    """(words, parser) of every command under parser, depth first."""
    for action in parser._actions:
        if isinstance(action, argparse._SubParsersAction):
            for name, sub in action.choices.items():
                words = f'{prefix} {name}'
                yield words, sub
                yield from _commands(sub, words)


def _cli():
    parser = manage_parser.build_parser()
    lines = ['``webdemo-manage``', '=' * 19, '', '::', '']
    lines += ['    ' + line for line in _help(parser).splitlines()]
    for words, sub in _commands(parser, 'webdemo-manage'):
        if any(isinstance(action, argparse._SubParsersAction)
               for action in sub._actions):
            continue
        title = f'``{words}``'
        lines += ['', title, '-' * len(title), '', '::', '']
        lines += ['    ' + line for line in
                  _help(sub, epilog=False).splitlines()]
    lines += ['', 'Exit codes', '----------', '', '::', '']
    lines += ['    ' + line for line in exit_codes.HELP.splitlines()]
    return '\n'.join(lines) + '\n'


def _help(parser, epilog=True):
    if not epilog:
        parser = _without_epilog(parser)
    # A fixed width: the page must not depend on the terminal that built it.
    os.environ['COLUMNS'] = '79'
    return parser.format_help()


def _without_epilog(parser):
    copy = argparse.ArgumentParser.__new__(type(parser))
    copy.__dict__.update(parser.__dict__)
    copy.epilog = None
    return copy


def generate(app):
    _write(app, 'revisions.dot', drawing.dot(drawing.drawing(
        scripts.Scripts.load())))
    _write(app, 'cli.rst', _cli())


def setup(app):
    app.connect('builder-inited', generate)
    return {'parallel_read_safe': True, 'parallel_write_safe': True}
