"""The previous release's models and data access code, frozen.

A rolling upgrade runs the previous release beside this one: the tests
run this code, exactly as that release shipped it, against the schema
in each phase of the upgrade. Never change it to make a test pass; it
is what is already deployed.
"""
