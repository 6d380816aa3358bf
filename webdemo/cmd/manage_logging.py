"""webdemo-manage's logging: oslo.log, never a password.

Registered before the configuration is read, started once it is; log
lines go with the progress on standard output, or to standard error
when standard output is JSON; each handler masks the database password
in every line (url.redact).
"""

import logging

from oslo_config import cfg


class RedactingFilter(logging.Filter):
    """Keep the database password out of every log line."""

    def __init__(self, conf):
        super().__init__()
        self._conf = conf

    def filter(self, record):
        record.msg = redact(record.getMessage(), self._conf)
        record.args = ()
        return True


def redact(text, conf):
    """text with the configured database password masked (url.redact)."""
    from webdemo.db import url

    try:
        connection = conf.database.connection
    except (cfg.Error, AttributeError, RecursionError):
        # Not set, or not readable (conf.check_values names why; a value
        # whose $ names itself loops).
        return text
    return url.redact(text, connection)


def register(conf, json_out=False):
    """Register oslo.log's options on conf, with the command's defaults.

    :param json_out: standard output is one JSON document (--format
        json): log lines go to standard error instead, unless a config
        file says otherwise
    """
    # Imported here: --help and argument errors never set up logging.
    from oslo_log import log as oslo_logging

    oslo_logging.register_options(conf)
    oslo_logging.set_defaults(default_log_levels=[
        'alembic=WARN', 'oslo_db=ERROR', 'sqlalchemy=WARN'])
    # As OpenStack's other -manage commands, log lines go with the
    # progress a person reads on standard output; but JSON output must
    # stay one document.
    conf.set_default('use_stderr', json_out)


def start(conf, debug):
    """Set up logging from conf; every handler masks the password."""
    from oslo_log import log as oslo_logging

    if debug:
        conf.set_override('debug', True)
    oslo_logging.setup(conf, 'webdemo')
    for handler in logging.getLogger().handlers:
        handler.addFilter(RedactingFilter(conf))
