"""The installed webdemo version, as pbr computes it from git or metadata."""

import pbr.version

version_info = pbr.version.VersionInfo('webdemo')
