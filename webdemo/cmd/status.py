"""webdemo-status upgrade check: is this deployment ready, and what next?

oslo.upgradecheck's command, as other OpenStack services ship it:
operators run it before and after an upgrade. Each check reads the
database through webdemo.db and says Success, Warning (something to
do, as the details say) or Failure (stop and look); the exit code is
the worst of them (0, 1, 2), 255 when the database cannot be reached.
``--json`` prints oslo.upgradecheck's JSON instead of its table.
"""

import sys

from oslo_config import cfg
from oslo_upgradecheck import common_checks
from oslo_upgradecheck import upgradecheck

from webdemo import conf as webdemo_conf
from webdemo.conf import unknown
from webdemo.db import engines
from webdemo.db import errors
from webdemo.db import inspection
from webdemo.db.state import judge
from webdemo.db.state.judge import Status
from webdemo.db.state import preflight
from webdemo.db.state import reader
from webdemo.db.state import status as db_status
from webdemo import exception

Code = upgradecheck.Code
Result = upgradecheck.Result

# Before or after an upgrade: nothing to do, something to do, or stop.
_CODES = {
    Status.AT_HEAD: Code.SUCCESS,
    **dict.fromkeys((Status.EMPTY, Status.UPGRADE_PENDING, Status.LEGACY,
                     Status.DATA_MIGRATIONS_PENDING, Status.CONTRACT_PENDING,
                     Status.INTERRUPTED), Code.WARNING),
}


class Checks(upgradecheck.UpgradeCommands):
    """The checks, over one engine made before any of them runs."""

    def __init__(self, conf):
        super().__init__()
        self.engine = None
        self._state = None
        # oslo.upgradecheck's own check of the policy file (a JSON one
        # is deprecated), as every OpenStack service runs it.
        self._conf = conf
        self._upgrade_checks = self._upgrade_checks + (
            ('Policy file', (common_checks.check_policy_json,
                             {'conf': conf})),)

    @property
    def state(self):
        """The database's state, read once for all the checks."""
        if self._state is None:
            self._state = db_status.get_state(self.engine)
        return self._state

    def _schema(self):
        return Result(_CODES.get(self.state.status, Code.FAILURE),
                      f'{judge.describe(self.state)}: '
                      f'{judge.next_step(self.state)}')

    def _data_migrations(self):
        left = self.state.data_migrations
        rows = {name: count for name, count in left.items() if count}
        if not rows:
            return Result(Code.SUCCESS)
        return Result(Code.WARNING, 'rows left to move: ' + ', '.join(
            f'{name} {count}' for name, count in rows.items()))

    def _old_services(self):
        found = inspection.services_blocking_contract(self.engine,
                                                      self.state)
        if not found:
            return Result(Code.SUCCESS)
        return Result(Code.WARNING, 'the contract must wait for: ' +
                      '; '.join(service.describe() for service in found))

    def _server_settings(self):
        with self.engine.connect() as connection:
            settings = reader.server_settings(connection)
        if settings is None:
            return Result(Code.SUCCESS, 'nothing to check on this backend')
        problems = preflight.problems(settings)
        if not problems:
            return Result(Code.SUCCESS)
        return Result(Code.FAILURE, '; '.join(map(str, problems)))

    def _configuration(self):
        # Every namespace of the sample config, the API's libraries too.
        found = unknown.find(self._conf, unknown.NAMESPACES, ())
        if not found:
            return Result(Code.SUCCESS)
        return Result(Code.FAILURE, '; '.join(map(str, found)))

    _upgrade_checks = (
        ('Configuration', _configuration),
        ('Database schema', _schema),
        ('Online data migrations', _data_migrations),
        ('Services of the previous release', _old_services),
        ('Server settings', _server_settings),
    )


def _with_json_spelt_once(argv):
    """argv with webdemo-manage's --format json as oslo.upgradecheck's --json.

    One spelling works for both commands; --format text is the default.
    """
    found, skip = [], False
    for position, argument in enumerate(argv):
        if skip:
            skip = False
        elif argument == '--format' and position + 1 < len(argv):
            skip = True
            if argv[position + 1] == 'json':
                found.append('--json')
            elif argv[position + 1] != 'text':
                found += [argument, argv[position + 1]]
        elif argument in ('--format=json', '--format=text'):
            found += ['--json'] if argument.endswith('json') else []
        else:
            found.append(argument)
    return found


def main(argv=None):
    """Run webdemo-status with argv (default: sys.argv[1:])."""
    argv = _with_json_spelt_once(sys.argv[1:] if argv is None else argv)
    conf = cfg.ConfigOpts()
    checks = Checks(conf)
    webdemo_conf.register_opts(conf)
    upgradecheck.register_cli_options(conf, checks)
    try:
        conf(argv, project='webdemo')
        webdemo_conf.check_values(conf)
        # It only reads: a SQLite file that is not there is an error.
        checks.engine = engines.create_engine(conf, existing=True)
        # Read now: a database that cannot be read is one line, not a
        # traceback from each check.
        try:
            checks.state
        except errors.DATABASE_ERRORS as error:
            raise engines.explain_failure(conf.database.connection,
                                          error) from error
    except (cfg.Error, exception.WebdemoError) as error:
        print(f'webdemo-status: error: {error}', file=sys.stderr)
        return 255
    # As upgradecheck.main() would: check() reads --json from there.
    # main() itself is not used because it would turn an unreachable
    # database into a traceback, not one line.
    upgradecheck.CONF = conf
    return upgradecheck.run(conf)
