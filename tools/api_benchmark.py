"""webdemo-api's throughput and tail latency against its floor.

Two requests, each timed on webdemo-api, on its floor
(tools/api_floor.py: Flask and SQLAlchemy Core running the same SELECT
or INSERT with nothing else), and on that floor with the libraries
webdemo must use (keystonemiddleware, oslo.policy, oslo.db's engine;
"libs"), all under gunicorn with the same number of sync workers and an
access log, on the same database, by ApacheBench (``ab -c 8``), round
after round with the order swapped each round:

  list     GET /v1/users?limit=10, in a project of --users users
  create   POST /v1/accounts, a small account without a password

webdemo-api runs as deployed: Keystone tokens (a real Keystone,
tools/keystone.sh; keystonemiddleware validates a token once, then
serves it from its cache), policy on every request, responses checked
against their schemas ([api] response_validation's default, warn),
microversions, request ids, the schema guard. It prints, per backend,
the medians of requests per second and of the 99th percentile, their
ratios against the targets (at least 0.8x the floor's throughput, a p99
at most 1.5x the floor's; doc/source/performance.rst), and the libs
floor's own ratios: the best webdemo could reach with those libraries.

    .tox/functional/bin/python tools/api_benchmark.py [--rounds 5]
    .tox/functional/bin/python tools/api_benchmark.py --quick   # CI

A backend it cannot reach is left out and said so, unless
--require-backends; a request answered with an error fails the run.
"""

import argparse
import json
import os
import re
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
import urllib.request

import sqlalchemy

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import benchmark_databases  # noqa: E402

from webdemo.tests.functional import api_fixtures  # noqa: E402
from webdemo.tests.functional import manage_runner  # noqa: E402

TOOLS = os.path.dirname(os.path.abspath(__file__))
BIN = os.path.dirname(sys.executable)
CALLER = api_fixtures.CALLERS['member-a']
ACCOUNT = {'account': {'name': 'bench', 'email': 'bench@example.org',
                       'description': 'made by tools/api_benchmark.py'}}
SCENARIOS = {'list': ('GET', '/v1/users?limit=10'),
             'create': ('POST', '/v1/accounts')}
TARGET_THROUGHPUT = 0.8
TARGET_P99 = 1.5


class Servers:
    """webdemo-api and its two floors on one database, all serving."""

    def __init__(self, database, project, workers, workdir):
        self.database = database
        self.project = project
        self.urls = {}
        self._processes = []
        self._workers = str(workers)
        self._workdir = workdir

    def start(self):
        conf = api_fixtures.write_keystone(self._workdir)
        env = dict(os.environ, HOME=self._workdir,
                   OS_DATABASE__CONNECTION=self.database.url)
        self._serve('webdemo', [os.path.join(BIN, 'webdemo-api'),
                                '--workers', self._workers,
                                '--config-file', conf, '--port', '{port}'],
                    env)
        floor = dict(os.environ, HOME=self._workdir,
                     API_FLOOR_DATABASE=self.database.url,
                     API_FLOOR_PROJECT=self.project)
        gunicorn = [os.path.join(BIN, 'gunicorn'), '--workers',
                    self._workers, '--access-logfile', '-', '--chdir', TOOLS,
                    'api_floor:APP', '--bind', '127.0.0.1:{port}']
        self._serve('floor', gunicorn, floor)
        self._serve('libraries', gunicorn,
                    dict(floor, API_FLOOR_LIBRARIES=conf))
        for name, url in self.urls.items():
            _wait_until_serving(url + '/v1/users?limit=1', name)

    def _serve(self, name, command, env):
        """Start command, its '{port}' a free port, as server name."""
        port = manage_runner.free_port()
        self._processes.append(subprocess.Popen(
            [word.format(port=port) for word in command], env=env,
            stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL))
        self.urls[name] = f'http://127.0.0.1:{port}'

    def stop(self):
        for process in self._processes:
            process.terminate()
        for process in self._processes:
            try:
                process.wait(timeout=30)
            except subprocess.TimeoutExpired:
                process.kill()
                process.wait()


def _wait_until_serving(url, name):
    token = CALLER.headers('keystone')
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline:
        try:
            request = urllib.request.Request(url, headers=token)
            with urllib.request.urlopen(request, timeout=5):
                return
        except OSError:
            time.sleep(0.2)
    raise SystemExit(f'api_benchmark: {name} did not serve on {url}')


def seed(database, project, count):
    """db sync, then count users in project."""
    env = dict(os.environ, OS_DATABASE__CONNECTION=database.url)
    subprocess.run([os.path.join(BIN, 'webdemo-manage'), 'db', 'sync'],
                   env=env, check=True, capture_output=True)
    engine = sqlalchemy.create_engine(database.url)
    users = sqlalchemy.table('user', *(sqlalchemy.column(name) for name in (
        'user_id', 'username', 'email', 'project_id')))
    with engine.begin() as connection:
        connection.execute(users.insert(), [
            {'user_id': f'u{n}', 'username': f'user {n}',
             'email': f'user{n}@example.org', 'project_id': project}
            for n in range(count)])
    engine.dispose()


_RATE = re.compile(r'^Requests per second:\s+([\d.]+)', re.M)
_P99 = re.compile(r'^\s+99%\s+(\d+)', re.M)
_NON_2XX = re.compile(r'^Non-2xx responses:\s+(\d+)', re.M)


def ab(url, scenario, requests, concurrency, body_file):
    """One ApacheBench run: (requests per second, p99 in ms)."""
    method, path = SCENARIOS[scenario]
    token = CALLER.headers('keystone')
    command = ['ab', '-q', '-l', '-n', str(requests), '-c', str(concurrency),
               '-H', f'X-Auth-Token: {token["X-Auth-Token"]}']
    if method == 'POST':
        command += ['-p', body_file, '-T', 'application/json']
    # Not check=True: its error would print the command, token and all.
    result = subprocess.run(command + [url + path], capture_output=True,
                            text=True)
    failed = _NON_2XX.search(result.stdout)
    if (result.returncode or failed
            or 'Failed requests:        0' not in result.stdout):
        raise SystemExit(f'api_benchmark: {url}{path} answered errors '
                         f'(ab exited {result.returncode}):\n'
                         f'{result.stdout}{result.stderr}')
    return (float(_RATE.search(result.stdout).group(1)),
            int(_P99.search(result.stdout).group(1)))


def measure(servers, args, body_file):
    """{scenario: {server: [(rate, p99) per round]}}, interleaved."""
    found = {scenario: {name: [] for name in servers.urls}
             for scenario in SCENARIOS}
    for scenario in SCENARIOS:
        for name, url in servers.urls.items():
            ab(url, scenario, args.warmup, args.concurrency, body_file)
        for round_number in range(args.rounds):
            order = list(servers.urls.items())
            if round_number % 2:
                order.reverse()
            for name, url in order:
                found[scenario][name].append(ab(
                    url, scenario, args.requests, args.concurrency,
                    body_file))
    return found


def report(backend, found):
    """One line per request: medians, ratios to the floor, verdicts.

    libs: the floor with the libraries webdemo must use
    (tools/api_floor.py), its ratio the most webdemo could reach.
    """
    for scenario, runs in found.items():
        rate = {name: statistics.median(r for r, _ in got)
                for name, got in runs.items()}
        p99 = {name: statistics.median(p for _, p in got)
               for name, got in runs.items()}
        throughput = rate['webdemo'] / rate['floor']
        tail = p99['webdemo'] / max(p99['floor'], 1)
        print(f'{backend:<11} {scenario:<7}'
              f'{rate["webdemo"]:>8.0f}{rate["floor"]:>7.0f}'
              f'{rate["libraries"]:>7.0f}'
              f'{throughput:>6.2f}x '
              f'{_verdict(throughput >= TARGET_THROUGHPUT)}'
              f'{rate["libraries"] / rate["floor"]:>5.2f}x'
              f'{p99["webdemo"]:>5.0f}{p99["floor"]:>5.0f}'
              f'{p99["libraries"]:>5.0f}{tail:>6.2f}x '
              f'{_verdict(tail <= TARGET_P99)}'
              f'{p99["libraries"] / max(p99["floor"], 1):>5.2f}x')


HEADER = (f'{"":<19}{"requests per second":^36}{"p99 ms":^36}\n'
          f'{"backend":<11} {"request":<7}{"webdemo":>8}{"floor":>7}'
          f'{"libs":>7}{"ratio":>7} {"":<6}{"libs":>6}'
          f'{"wd":>5}{"floor":>5}{"libs":>5}{"ratio":>7} {"":<6}'
          f'{"libs":>6}')


def _verdict(met):
    return 'meets ' if met else 'misses'


def run_backend(backend, args, workdir, body_file):
    database = benchmark_databases.Database(backend, workdir,
                                            'webdemo_api_bench')
    database.empty()
    project = api_fixtures._access(CALLER).project_id
    servers = Servers(database, project, args.workers, workdir)
    try:
        seed(database, project, args.users)
        servers.start()
        return measure(servers, args, body_file)
    finally:
        try:
            servers.stop()
        finally:
            database.drop()


def main():
    parser = argparse.ArgumentParser(description=__doc__.split('\n\n')[0])
    parser.add_argument('--backends', default='sqlite,mysql,postgresql')
    parser.add_argument('--require-backends', action='store_true',
                        help='fail when a backend cannot be reached')
    parser.add_argument('--rounds', type=int, default=5)
    parser.add_argument('--requests', type=int, default=3000,
                        help='requests per ab run')
    parser.add_argument('--warmup', type=int, default=300)
    parser.add_argument('--concurrency', type=int, default=8)
    parser.add_argument('--workers', type=int, default=2)
    parser.add_argument('--users', type=int, default=1000)
    parser.add_argument('--quick', action='store_true',
                        help='one short round: that it runs, for CI')
    args = parser.parse_args()
    if args.quick:
        args.rounds, args.requests, args.warmup = 1, 300, 50
    if not shutil.which('ab'):
        raise SystemExit('api_benchmark: ab not found: install '
                         'apache2-utils (apt) or httpd-tools (dnf)')
    if not api_fixtures.keystone_reachable():
        raise SystemExit(f'api_benchmark: no Keystone at '
                         f'{api_fixtures.KEYSTONE_URL}: run '
                         f'tools/keystone.sh start')
    backends = benchmark_databases.reachable_backends(
        args.backends, args.require_backends)
    print(HEADER)
    with tempfile.TemporaryDirectory() as workdir:
        body_file = os.path.join(workdir, 'account.json')
        with open(body_file, 'w') as out:
            json.dump(ACCOUNT, out)
        for backend in backends:
            report(backend, run_backend(backend, args, workdir, body_file))


if __name__ == '__main__':
    main()
