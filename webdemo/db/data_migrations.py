"""webdemo's online data migrations: the one place they are listed.

``webdemo-manage db online_data_migrations`` runs those in MIGRATIONS,
in order (online_migrations.py says how, and what each function must
do). Add a migration as a function here and append it to MIGRATIONS;
remove it once no supported release can have rows it would find (its
contract revision has shipped).

None yet: the first comes with the first change split across expand and
contract (doc/source/migration-safety.rst).
"""

MIGRATIONS = ()
