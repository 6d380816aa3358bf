"""The names webdemo gives every constraint and index.

The models and the revisions share them: models.py builds its metadata
with this convention, and live_names.py falls back on it where no live
database says otherwise (--sql, and SQLite's unnamed constraints). The
history is written to it, so changing it would make the models disagree
with every database the history built.
"""

NAMING_CONVENTION = {
    'pk': 'pk_%(table_name)s',
    'uq': 'uq_%(table_name)s_%(column_0_N_name)s',
    'ix': 'ix_%(table_name)s_%(column_0_N_name)s',
    'fk': 'fk_%(table_name)s_%(column_0_N_name)s_%(referred_table_name)s',
    'ck': 'ck_%(table_name)s_%(constraint_name)s',
}
