"""A fixture that counts the calls to one function, which still runs."""

import importlib

import fixtures


class Counting(fixtures.Fixture):
    """Wrap the function at a dotted path; calls counts the calls since.

    :param path: e.g. 'webdemo.db.history.script_index.load_module'
    """

    def __init__(self, path):
        super().__init__()
        self.path = path
        self.calls = 0

    def _setUp(self):
        module, name = self.path.rsplit('.', 1)
        real = getattr(importlib.import_module(module), name)

        def counting(*args, **kwargs):
            self.calls += 1
            return real(*args, **kwargs)
        self.useFixture(fixtures.MonkeyPatch(self.path, counting))
