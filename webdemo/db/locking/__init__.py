"""The migration lock: its protocol, the Galera lease, who holds it."""
