"""Instructions, not seconds: db sync, plain Alembic and the floors.

On a noisy machine no timing shows a change of a few percent.
valgrind --tool=callgrind counts the instructions a process executes,
whatever else the machine does: the same code on a new database counts
the same to within 0.1%. For each length of the synthetic history (as
db_benchmark.py builds it), on a new database each and with
PYTHONHASHSEED=0, this counts:

  sync           webdemo-manage db sync --no-checkpoint
  alembic        alembic upgrade heads, same env.py
  journal_floor  MySQL only: db_benchmark_probes.FLOOR_JOURNAL
  op_floor       db_benchmark_probes.FLOOR_OP

and prints each one's instructions, what a revision adds and what is
fixed (the slope and the intercept through the shortest and the longest
history), and what a revision adds over the op floor's.

    .tox/py3/bin/python tools/instruction_count.py --sizes 20,1000

Under valgrind a sync of a thousand revisions takes about five minutes.
Needs valgrind (Debian's package) and the servers db_benchmark.py uses.
doc/source/performance.rst ("A fourth look") has the figures.
"""

import argparse
import os
import re
import subprocess
import sys
import tempfile

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import benchmark_databases as databases  # noqa: E402
import db_benchmark  # noqa: E402
import db_benchmark_probes as probes  # noqa: E402
import synthetic_history  # noqa: E402


def commands(history, database):
    """{name: (argv, working directory)}, as db_benchmark runs them."""
    python = [sys.executable, '-c']
    found = {
        'sync': ([sys.executable, '-m', 'webdemo.cmd.manage', 'db', 'sync',
                  '--no-checkpoint'], history.root),
        'alembic': ([sys.executable, '-m', 'alembic', 'upgrade', 'heads'],
                    history.alembic_dir),
        'op_floor': (python + [probes.FLOOR_OP, database.url,
                               history.order_file], history.root),
    }
    if database.backend == 'mysql':
        found['journal_floor'] = (python + [
            probes.FLOOR_JOURNAL, database.url, history.order_file],
            history.root)
    return found


def counted(argv, env, cwd):
    """The instructions argv executes, by callgrind."""
    with tempfile.TemporaryDirectory() as scratch:
        result = subprocess.run(
            ['valgrind', '--tool=callgrind',
             f'--callgrind-out-file={scratch}/callgrind.out', *argv],
            env=dict(env, PYTHONHASHSEED='0'), cwd=cwd,
            capture_output=True, text=True)
    if result.returncode:
        raise SystemExit(f'{" ".join(argv[:4])} ... failed '
                         f'({result.returncode}):\n{result.stderr[-2000:]}')
    return int(re.search(r'Collected : (\d+)', result.stderr)[1])


def measure(history, database):
    """{name: instructions} for one history, each on a new database.

    Each command runs once first, uncounted: the copy's modules are then
    compiled and cached, as an installed package's are.
    """
    found = {}
    for name, (argv, cwd) in commands(history, database).items():
        database.empty()
        databases.timed(argv, history.env(database), cwd)
        database.empty()
        found[name] = counted(argv, history.env(database), cwd)
        if name in ('sync', 'alembic'):
            history.check_at_head(database)
    return found


def report(counts):
    """Print counts, {revisions: {name: instructions}}, as a table."""
    (short, few), (long, many) = min(counts.items()), max(counts.items())
    slopes = {name: (many[name] - few[name]) / (long - short)
              for name in few}
    print(f'{"command":14} ' + ' '.join(
        f'{f"{revs} revs":>11}' for revs in sorted(counts))
        + '  per rev (M)  fixed (G)  per rev/op')
    for name in few:
        fixed = few[name] - short * slopes[name]
        print(f'{name:14} ' + ' '.join(
            f'{counts[revs][name] / 1e9:11.3f}' for revs in sorted(counts))
            + f'  {slopes[name] / 1e6:11.2f}  {fixed / 1e9:9.2f}'
            f'  {slopes[name] / slopes["op_floor"]:10.2f}')
    print('instructions in billions; per rev and fixed: the slope and the '
          f'intercept through {short} and {long} revisions')


def main():
    parser = argparse.ArgumentParser(description=__doc__.split('\n\n')[0])
    parser.add_argument('--sizes', default='20,1000',
                        help='synthetic revisions to append, comma-separated '
                             '(two at least)')
    parser.add_argument('--history', default='create',
                        choices=('create', 'alter'))
    parser.add_argument('--backend', default='mysql',
                        choices=('sqlite', 'mysql', 'postgresql'))
    args = parser.parse_args()
    sizes = [int(size) for size in args.sizes.split(',')]
    if len(sizes) < 2:
        parser.error('--sizes needs two lengths or more')
    databases.reachable_backends(args.backend, required=True)
    counts = {}
    with tempfile.TemporaryDirectory(prefix='webdemo-count-') as workdir:
        database = databases.Database(args.backend, workdir,
                                      'wd_instructions')
        for size in sizes:
            history = db_benchmark.History(size, workdir, args.history)
            revisions = size + synthetic_history.shipped_count()
            counts[revisions] = measure(history, database)
            print(f'counted {revisions} revisions', flush=True)
        database.drop()
    report(counts)


if __name__ == '__main__':
    main()
