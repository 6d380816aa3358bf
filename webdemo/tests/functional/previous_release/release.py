"""The previous release's identity, as its services register it.

It reads user.name, so it is level 1: contract 3fd795719d99 needs
level 2. (The real previous release predates the registry; this frozen
copy registers as it would have.)
"""

NAME = 'previous'
LEVEL = 1
