"""A bounded load generator: clients mixing writes and reads over HTTP.

Each client thread, until told to stop or out of requests, creates a
user on one of the current targets (round robin) and reads it back.
Every request is timed and filed under the phase it ran in; any answer
other than the one asked for, a timeout, or anything else going wrong
is an error, and a client keeps going after one.
Every user a client was told it created is kept, to be read at the end.
"""

import collections
import itertools
import json
import statistics
import threading
import time
import urllib.error
import urllib.request


class Load:

    def __init__(self, clients=4, max_requests=20000, timeout=30,
                 headers=None):
        self.targets = []
        self._headers = {'Content-Type': 'application/json',
                         **(headers or {})}
        self.phase = 'start'
        self.created = []
        self.latencies = collections.defaultdict(list)
        self.errors = collections.defaultdict(list)
        self._timeout = timeout
        self._budget = itertools.count()
        self._max = max_requests
        self._stop = threading.Event()
        self._lock = threading.Lock()
        self._serial = itertools.count()
        self._moved = set()
        self._threads = [threading.Thread(target=self._client, daemon=True)
                         for _ in range(clients)]

    def start(self, targets):
        self.targets = list(targets)
        for thread in self._threads:
            thread.start()

    def retarget(self, targets, timeout=60):
        """Send to targets from now; return once every client has moved.

        A client takes the targets at the start of each round: once each
        has started a round since, none sends to a target left out, and
        a service no longer sent to can be stopped.
        """
        with self._lock:
            self.targets = list(targets)
            self._moved = set()
        deadline = time.monotonic() + timeout
        while len(self._moved) < self.alive():
            if time.monotonic() > deadline:
                raise AssertionError('a load client did not move on')
            time.sleep(0.05)

    def wait_for_requests(self, phase, count, timeout=120):
        """Return once count requests have been answered in phase."""
        deadline = time.monotonic() + timeout
        while len(self.latencies[phase]) < count:
            if time.monotonic() > deadline or not self.alive():
                raise AssertionError(f'load stalled in phase {phase}')
            time.sleep(0.05)

    def stop(self):
        self._stop.set()
        for thread in self._threads:
            thread.join(timeout=60)

    def _client(self):
        turn = itertools.count()
        while not self._stop.is_set() and next(self._budget) < self._max:
            with self._lock:
                targets = self.targets
                self._moved.add(threading.get_ident())
            base = targets[next(turn) % len(targets)]
            number = next(self._serial)
            created = self._call(base, 'POST', '/v1/users', 201, {
                'user': {'user_id': f'load-{number}',
                         'username': f'load{number}'}})
            if created is not None:
                user = created['user']
                with self._lock:
                    self.created.append((user['id'], user['username']))
                self._call(base, 'GET', f'/v1/users/{user["id"]}', 200)

    def _call(self, base, method, path, expected, body=None):
        phase = self.phase
        data = None if body is None else json.dumps(body).encode()
        request = urllib.request.Request(
            base + path, data=data, method=method, headers=self._headers)
        started = time.perf_counter()
        try:
            with urllib.request.urlopen(request,
                                        timeout=self._timeout) as answer:
                status, text = answer.status, answer.read()
        except urllib.error.HTTPError as error:
            status, text = error.code, error.read()
        except Exception as error:
            # Timeouts, resets, half-read answers: all failures.
            status, text = None, repr(error).encode()
        self.latencies[phase].append(time.perf_counter() - started)
        if status != expected:
            self.errors[phase].append(f'{method} {base}{path}: {status} '
                                      f'{text[:200]!r}')
            return None
        try:
            return json.loads(text)
        except ValueError:
            self.errors[phase].append(f'{method} {base}{path}: not JSON')
            return None

    def alive(self):
        """How many clients are still running."""
        return sum(thread.is_alive() for thread in self._threads)

    def report(self):
        """A line per phase: requests, errors, p50 and p99 latency."""
        lines = []
        for phase, times in self.latencies.items():
            ordered = sorted(times)
            p99 = ordered[max(0, int(len(ordered) * 0.99) - 1)]
            lines.append(
                f'{phase:24} {len(times):6} requests '
                f'{len(self.errors[phase]):3} errors  '
                f'p50 {statistics.median(ordered) * 1000:7.1f} ms  '
                f'p99 {p99 * 1000:7.1f} ms')
        return '\n'.join(lines)


def get_json(url, timeout=30, headers=None):
    """GET url; its JSON body (raises on anything but a 2xx)."""
    request = urllib.request.Request(url, headers=headers or {})
    with urllib.request.urlopen(request, timeout=timeout) as answer:
        return json.loads(answer.read())
