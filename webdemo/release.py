"""This release: its name, and the contract revisions it cannot survive.

The API registers both with every running process (db/services.py), so
that db sync --contract refuses to remove what a running release still
reads. This release reads user.username, falling back to user.name
while it exists (db/users.py): no contract revision known today breaks
it. A later release whose contract removes something this one reads
must not be contracted while this one runs: that is the previous
release's CANNOT_SURVIVE, as tests/functional/previous_release shows.
"""

from pbr import version

NAME = version.VersionInfo('webdemo').version_string()
CANNOT_SURVIVE = ()
