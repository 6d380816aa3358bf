"""webdemo's configuration: every option group, registered on a passed-in
ConfigOpts, and read from oslo.config's usual sources.
"""

from oslo_config import cfg

from webdemo.conf import api
from webdemo.conf import database
from webdemo.conf import paths
from webdemo import exception

PROJECT = 'webdemo'


def register_opts(conf):
    """Register every webdemo option group on conf."""
    paths.register_opts(conf)
    database.register_opts(conf)
    api.register_opts(conf)


def load(conf, args=()):
    """Register the options on conf and read its sources.

    The sources are the command-line arguments in args (only
    --config-file and --config-dir are expected there), or, without
    --config-file, oslo.config's default files for project 'webdemo'
    (~/.webdemo/webdemo.conf, ~/webdemo.conf, /etc/webdemo/webdemo.conf,
    /etc/webdemo.conf); and environment variables such as
    OS_DATABASE__CONNECTION.

    :param conf: an oslo.config ConfigOpts to fill
    :param args: command-line arguments for oslo.config
    :raises webdemo.exception.ConfigurationError: a config file or
        directory is missing, unreadable or malformed
    """
    register_opts(conf)
    try:
        conf(list(args), project=PROJECT)
    except cfg.ConfigFilesPermissionDeniedError as error:
        raise exception.ConfigurationError(
            f'cannot read config file {_files(error)}: permission denied; '
            'make it readable by this user.') from error
    except cfg.ConfigFilesNotFoundError as error:
        raise exception.ConfigurationError(
            f'config file {_files(error)} not found: check the '
            '--config-file path.') from error
    except cfg.ConfigDirNotFoundError as error:
        raise exception.ConfigurationError(
            f'config directory {error.config_dir} not found: check the '
            '--config-dir path.') from error
    except cfg.ConfigFileParseError as error:
        raise exception.ConfigurationError(
            f'config file {error.config_file} is malformed: {error.msg}; '
            'fix that line (INI format: [section] then name = value).'
        ) from error
    check_values(conf)


def check_values(conf):
    """Read every option now, so that a bad value stops a command early.

    oslo.config checks a value only when it is read; a command must not
    find a bad one half-way through a migration.
    """
    for group, name in _option_names(conf):
        try:
            getattr(conf[group] if group else conf, name)
        except (cfg.ConfigFileValueError, ValueError) as error:
            reason = str(error).rpartition('is not valid: ')[2]
            raise exception.ConfigurationError(
                f'[{group or "DEFAULT"}] {name} has an invalid value '
                f'({reason}): correct it in the config file or the '
                'environment.') from error
        except (cfg.NoSuchOptError, cfg.NoSuchGroupError,
                cfg.TemplateSubstitutionError, RecursionError) as error:
            # oslo.config reads $name and $group.name as another option's
            # value (and loops on one naming itself). Its error names
            # what followed the $, which in a URL is most of a password:
            # the value is not quoted.
            raise exception.ConfigurationError(
                f'[{group or "DEFAULT"}] {name} has a "$" that oslo.config '
                'reads as a reference to another option: write "$$" for '
                'a "$" of the value itself (in a password, say).'
            ) from error


def _option_names(conf):
    for name in conf:
        if isinstance(conf[name], cfg.ConfigOpts.GroupAttr):
            yield from ((name, option) for option in conf[name])
        else:
            yield None, name


def _files(error):
    return ', '.join(error.config_files)
