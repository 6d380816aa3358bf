"""The benchmark's figures drawn at build time (matplotlib).

tools/db_benchmark.py --save writes doc/source/figures/db_benchmark.json;
this draws it into _generated/, for performance.rst:

- sync-cost.svg: a full db sync against history length, per backend,
  beside plain Alembic and the two floors;
- version-cost.svg: db version and a db sync with nothing to do against
  history length, beside alembic current and the process floor;
- checkpoint-cost.svg: on the altering history, a fresh db sync from a
  checkpoint and revision by revision, beside plain Alembic and the
  final schema's floors;
- benchmark-figures.rst: both, with the date, the machine and the
  command that measured them.
"""

import json
import os

import matplotlib

matplotlib.use('Agg')
from matplotlib import pyplot  # noqa: E402
from matplotlib import ticker  # noqa: E402

SOURCE = os.path.join('figures', 'db_benchmark.json')
# (measurement, label, line style): webdemo's solid, the others dashed.
SYNC = (('sync', 'webdemo db sync', '-'),
        ('alembic_up', 'alembic upgrade heads', '--'),
        ('op_floor', "floor: Alembic's op, no bookkeeping", ':'),
        ('ddl_floor', 'floor: the DDL replayed', '-.'))
CHECKPOINT = (('cp_sync', 'webdemo db sync from a checkpoint', '-'),
              ('sync', 'webdemo db sync --no-checkpoint', '-'),
              ('alembic_up', 'alembic upgrade heads', '--'),
              ('cp_op_floor', "floor: the checkpoint through Alembic's op",
               ':'),
              ('cp_floor', "floor: the checkpoint's DDL replayed", '-.'))
VERSION = (('version', 'webdemo db version', '-'),
           ('noop_sync', 'webdemo db sync at head', '-'),
           ('alembic_cur', 'alembic current', '--'),
           ('proc_floor', 'floor: start, connect, read', ':'))


def _figure(document, lines, title, history='create'):
    """One plot per backend of lines against history length.

    :param history: the kind of synthetic history (the benchmark's
        first figures predate the second kind, and name none)
    """
    results = [row for row in document['results']
               if row.get('history', 'create') == history
               and all(name in row['seconds'] for name, _, _ in lines)]
    backends = sorted({row['backend'] for row in results})
    figure, axes = pyplot.subplots(1, len(backends), sharey=True,
                                   figsize=(4 * len(backends), 3.6))
    for ax, backend in zip(getattr(axes, 'flat', [axes]), backends):
        rows = sorted((row for row in results
                       if row['backend'] == backend),
                      key=lambda row: row['revisions'])
        for name, label, style in lines:
            ax.plot([row['revisions'] for row in rows],
                    [row['seconds'][name] for row in rows], style,
                    marker='o', markersize=3, label=label)
        ax.set_xscale('log')
        ax.set_yscale('log')
        for axis in (ax.xaxis, ax.yaxis):
            axis.set_major_locator(ticker.LogLocator(subs=(1, 2, 5)))
            axis.set_major_formatter(ticker.FormatStrFormatter('%g'))
            axis.set_minor_formatter(ticker.NullFormatter())
        ax.set_title(backend)
        ax.set_xlabel('revisions')
        ax.grid(True, which='both', linewidth=0.3)
    figure.axes[0].set_ylabel('seconds (median)')
    figure.axes[0].legend(fontsize='small')
    figure.suptitle(title)
    figure.tight_layout()
    return figure


_PAGE = """\
.. figure:: /_generated/sync-cost.svg

   A full ``db sync`` from an empty database.

.. figure:: /_generated/version-cost.svg

   ``db version`` and ``db sync`` with nothing to do.

.. figure:: /_generated/checkpoint-cost.svg

   A fresh ``db sync`` on the altering history, from a checkpoint cut at
   its head and revision by revision.

Measured on {date}, {machine}, {rounds} round(s), medians::

    {command}
"""


def _save(figure, path):
    # No date nor random ids in the file: the same figures, the same SVG.
    pyplot.rcParams['svg.hashsalt'] = 'webdemo'
    figure.savefig(path, format='svg', metadata={'Date': None})
    pyplot.close(figure)


def generate(app):
    with open(os.path.join(app.srcdir, SOURCE)) as source:
        document = json.load(source)
    folder = os.path.join(app.srcdir, '_generated')
    os.makedirs(folder, exist_ok=True)
    _save(_figure(document, SYNC, 'A full db sync from an empty database'),
          os.path.join(folder, 'sync-cost.svg'))
    _save(_figure(document, VERSION, 'Reading the state'),
          os.path.join(folder, 'version-cost.svg'))
    _save(_figure(document, CHECKPOINT, 'A fresh db sync, altering history',
                  'alter'),
          os.path.join(folder, 'checkpoint-cost.svg'))
    with open(os.path.join(folder, 'benchmark-figures.rst'), 'w') as out:
        out.write(_PAGE.format(**document))


def setup(app):
    app.connect('builder-inited', generate)
    return {'parallel_read_safe': True, 'parallel_write_safe': True}
