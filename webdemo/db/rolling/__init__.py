"""Rolling upgrades: the contract gate, the online data migrations, and the
registry of running services."""
