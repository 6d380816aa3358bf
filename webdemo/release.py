"""This release: its name, and its level in the upgrade order.

Each API process registers both (db/services.py). A contract revision
that removes what older releases read says which is the lowest level
that can run after it (``release_level_needed``); db sync --contract
refuses while a live service of a lower level is registered. A release
cannot know which later contract will break it, so the later revision,
which knows what it removes, says so.

Levels: 1 read user.name (the release before this one, which predates
the registry: its services must be stopped by hand, see
doc/source/rolling-upgrades.rst); 2 reads user.username, falling back
to user.name, and writes rows without a project; 3 writes each user's
and account's project_id (this one).
"""

from pbr import version

NAME = version.VersionInfo('webdemo').version_string()
LEVEL = 3
