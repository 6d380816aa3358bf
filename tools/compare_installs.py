"""Time db version and a no-op db sync of two webdemo installs, interleaved.

For checking that a change costs nothing where it should not (plain
MySQL after the Galera work, say): install the old and the new commit
each in a virtualenv of its own, made the same way, then

    python tools/compare_installs.py OLD/bin/webdemo-manage \\
        NEW/bin/webdemo-manage DATABASE_URL [ROUNDS]

It syncs the database once, then runs each command with each install in
turn, ROUNDS times (default 15), so that machine noise hits both alike,
and prints the medians and the ratio new/old.
"""

import os
import statistics
import subprocess
import sys
import time

COMMANDS = ('version', 'sync')


def main(old, new, url, rounds=15):
    env = {name: value for name, value in os.environ.items()
           if not name.startswith('OS_')}
    env['OS_DATABASE__CONNECTION'] = url
    installs = {'old': old, 'new': new}
    subprocess.run([new, 'db', 'sync'], env=env, check=True,
                   capture_output=True)
    times = {(name, command): [] for name in installs for command in COMMANDS}
    for _ in range(int(rounds)):
        for name, path in installs.items():
            for command in COMMANDS:
                started = time.perf_counter()
                subprocess.run([path, 'db', command], env=env, check=True,
                               capture_output=True)
                times[(name, command)].append(time.perf_counter() - started)
    for command in COMMANDS:
        old_median = statistics.median(times[('old', command)])
        new_median = statistics.median(times[('new', command)])
        print(f'db {command:8} old {old_median * 1000:7.1f} ms  new '
              f'{new_median * 1000:7.1f} ms  new/old '
              f'{new_median / old_median:.3f}')


if __name__ == '__main__':
    if len(sys.argv) not in (4, 5):
        sys.exit(__doc__)
    main(*sys.argv[1:])
