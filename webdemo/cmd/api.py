"""webdemo-api: serve the API with gunicorn, in one command.

For a laptop or a test: ``webdemo-api --port 8080`` serves the API on
the configured database (the SQLite default included). Production
deployments hand webdemo.wsgi.api:application to their own WSGI server
instead; this command runs gunicorn with its defaults otherwise.
"""

import argparse
import sys

from gunicorn.app import base as gunicorn_base

from webdemo.api import app as api_app
from webdemo.api import authentication
from webdemo import exception


class _Server(gunicorn_base.BaseApplication):
    """gunicorn with our options; each worker builds its own app."""

    def __init__(self, options, config_args):
        self._options = options
        self._config_args = config_args
        super().__init__()

    def load_config(self):
        for name, value in self._options.items():
            self.cfg.set(name, value)

    def load(self):
        return api_app.init_application(self._config_args)


def _parser():
    parser = argparse.ArgumentParser(
        prog='webdemo-api', description='Serve the webdemo API (gunicorn).')
    parser.add_argument('--host', default='127.0.0.1')
    parser.add_argument('--port', type=int, default=8080)
    parser.add_argument('--workers', type=int, default=2)
    parser.add_argument('--config-file', action='append', default=[],
                        metavar='PATH')
    parser.add_argument('--config-dir', action='append', default=[],
                        metavar='DIR')
    return parser


def main(argv=None):
    args = _parser().parse_args(argv)
    config_args = [item for path in args.config_file
                   for item in ('--config-file', path)] + [
        item for path in args.config_dir for item in ('--config-dir', path)]
    try:
        # Fail here, once, on bad configuration or an unreachable
        # database, rather than in every worker.
        conf = api_app.load_configuration(config_args)
        authentication.check_address(conf.api.auth_strategy, args.host)
        api_app.create_app(conf, register=False)
    except exception.WebdemoError as error:
        print(f'webdemo-api: error: {error}', file=sys.stderr)
        return 1
    _Server({'bind': f'{args.host}:{args.port}', 'workers': args.workers,
             'accesslog': '-'}, config_args).run()
    return 0
