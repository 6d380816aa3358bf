"""Options a config file sets that no one declares: most often a typo.

oslo.config ignores an option nobody registered. ``conection = ...`` in
[database] leaves the connection at its default, and a command would
carry on against the embedded SQLite file, a database nobody asked for.
find() reads the config files as written (oslo.config's own parser) and
names each option that no declared option, or deprecated name of one,
accounts for, with the known name nearest to it.

What "declared" means depends on who asks. webdemo-status upgrade check
loads every namespace of the sample config (NAMESPACES, as
oslo-config-generator and oslo-config-validator do) and fails on any
unknown option. webdemo-manage loads only the namespaces it uses
(MANAGE_NAMESPACES: webdemo's, oslo.db's, oslo.log's) and passes over
the sections that only the API's libraries read (LIBRARY_SECTIONS):
loading those libraries would cost every command about a hundred
modules. Nothing is loaded when the files set no option.
"""

import dataclasses
import difflib
import glob
import importlib.metadata
import os

from oslo_config import cfg

from webdemo import exception

# etc/webdemo/webdemo-config-generator.conf's namespaces (a unit test
# keeps the two the same).
NAMESPACES = (
    'webdemo', 'oslo.db', 'oslo.log', 'oslo.middleware.healthcheck',
    'oslo.middleware.http_proxy_to_wsgi', 'oslo.middleware.basic_auth',
    'oslo.middleware.sizelimit', 'keystonemiddleware.auth_token',
    'oslo.policy')
MANAGE_NAMESPACES = ('webdemo', 'oslo.db', 'oslo.log')
# The sections of the other namespaces, which webdemo-manage passes over
# (a unit test keeps this true).
LIBRARY_SECTIONS = frozenset({'keystone_authtoken', 'oslo_middleware',
                              'oslo_policy', 'healthcheck'})


@dataclasses.dataclass(frozen=True)
class Unknown:
    """One option set in a file that nothing declares."""
    path: str
    section: str
    name: str
    nearest: str = None

    def where(self):
        return f'[{self.section}] {self.name} in {self.path}'

    def hint(self):
        return (f'did you mean {self.nearest}?' if self.nearest else
                'remove it, or correct its name')

    def __str__(self):
        return (f'{self.where()} is not an option webdemo knows, and is '
                f'ignored: {self.hint()}')


def find(conf, namespaces=MANAGE_NAMESPACES, passed_over=LIBRARY_SECTIONS):
    """The options conf's config files set that namespaces lack.

    :param conf: a loaded ConfigOpts
    :param namespaces: the oslo.config.opts namespaces that declare what
        is known
    :param passed_over: sections not looked into
    """
    parsed = [(path, _parse(path)) for path in files(conf)]
    written = [(path, section, names) for path, sections in parsed
               for section, names in sections.items()
               if names and section not in passed_over]
    if not written:
        return []
    known = declared_by(namespaces)
    for _, sections in parsed:
        _add_auth_plugin(known, sections.get(_AUTH_SECTION, {}))
    return [Unknown(path, section, name,
                    _nearest(name, known.get(section, ()), section, known))
            for path, section, names in written for name in names
            if _normal(name) not in known.get(section, ())]


def refuse_in_database(found):
    """found, unless one is in [database] (or a section named like it).

    A misspelt connection there would make a command act on the embedded
    SQLite default instead: the caller warns of the others and goes on.

    :raises webdemo.exception.ConfigurationError: the first of those
    """
    database = [option for option in found if option.section == 'database'
                or (option.nearest or '').startswith('[database]')]
    if database:
        raise exception.ConfigurationError(
            f'{database[0].where()} is not an option webdemo knows '
            f'({database[0].hint()}): webdemo-manage does not run with it, '
            'since it may be a misspelt connection.')
    return found


def files(conf):
    """The config files conf read, in order."""
    listed = list(conf.config_file or ())
    directories = conf.config_dir or ()
    # A string in older oslo.config releases, a list in newer ones.
    for directory in ([directories] if isinstance(directories, str)
                      else directories):
        listed += sorted(glob.glob(os.path.join(directory, '*.conf')))
    return listed


def declared_by(namespaces=NAMESPACES):
    """{section: option names} of every option the namespaces declare."""
    points = {point.name: point for point in
              importlib.metadata.entry_points(group='oslo.config.opts')}
    known = {}
    for namespace in namespaces:
        for group, options in points[namespace].load()():
            section = getattr(group, 'name', group) or 'DEFAULT'
            for option in options:
                _add(known, section, option)
    return known


def _add(known, section, option):
    known.setdefault(section, set()).add(_normal(option.dest))
    for old in option.deprecated_opts:
        known.setdefault(old.group or section, set()).add(
            _normal(old.name or option.dest))


_AUTH_SECTION = 'keystone_authtoken'


def _add_auth_plugin(known, section):
    """The options of the auth plugin [keystone_authtoken] names.

    keystonemiddleware declares them only once it knows auth_type (as
    Keystone's password plugin: auth_url, username, ...).
    """
    if _AUTH_SECTION not in known or not section.get('auth_type'):
        return
    # Imported here: only webdemo-status, reading the API's sections.
    from keystoneauth1 import exceptions
    from keystoneauth1 import loading

    try:
        plugin = loading.get_plugin_loader(section['auth_type'][-1])
    except exceptions.NoMatchingPlugin:
        return
    known[_AUTH_SECTION].update(
        _normal(option.dest) for option in plugin.get_options())


def _parse(path):
    """{section: {name: [values]}} as the file writes them."""
    sections = {}
    cfg.ConfigParser(path, sections).parse()
    return sections


def _normal(name):
    return name.replace('-', '_')


def _nearest(name, names, section, known):
    close = difflib.get_close_matches(_normal(name), sorted(names), n=1)
    if close:
        return close[0]
    # A misspelt section: the same name in the section nearest to it.
    other = difflib.get_close_matches(section, sorted(known), n=1)
    if other and _normal(name) in known[other[0]]:
        return f'[{other[0]}] {name}'
    return None
