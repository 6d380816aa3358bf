"""The previous release's identity, as its services register it: it
reads user.name, so it cannot run after contract 3fd795719d99."""

NAME = 'previous'
CANNOT_SURVIVE = ('3fd795719d99',)
