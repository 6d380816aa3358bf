"""What webdemo reads from the text of a SQL statement: all of it, here.

The runner watches every statement a revision sends on the migration's
connection, as Alembic and SQLAlchemy wrote it or as a revision wrote it
by hand (op.execute), and a few decisions depend on what kind of
statement it is. Each is a guess from text, so each says which way it
errs when it meets a statement it does not recognise:

- is_revision_ddl: whether the statement counts among a revision's DDL
  statements (MySQL's replay, statements.py; fault injection, faults.py);
- commits_before: whether MySQL commits the open transaction before it
  (run_strategies.CarriedCommit); a miss costs a commit, never a lost
  row;
- target_table: the table a DDL statement that waited for a lock works
  on, to name its blocker (lock_wait.py); a miss names the oldest
  transaction instead;
- tables_of: the tables a statement creates and uses, so that a group of
  PostgreSQL revisions commits as soon as one reaches beyond the run's
  own new tables (table_scope.py); a miss ends the group early, never
  late;
- statements_of: the statements of a SQL script as Alembic writes one
  (--sql), comments left out;
- names_on_table: the table a DDL statement changes and the names it
  mentions, so that db check tells what a pending contract will change
  from drift (schema_check.py); a miss reports it as drift;
- in_place: the statement saying that MySQL may not copy its table
  (backends/mysql.py, refuse_table_copies); a miss leaves a statement
  as written, which the server may then run by copying the table.
"""

import functools
import re
import types

_DDL = re.compile(r'\s*(CREATE|ALTER|DROP|RENAME|TRUNCATE)\b', re.IGNORECASE)


def is_revision_ddl(statement):
    """Whether statement is DDL of a revision (not Alembic's own)."""
    # Alembic's version table is not part of any revision: on a replay it
    # already exists, and counting it would shift the count.
    return bool(_DDL.match(statement)) and 'alembic_version' not in statement


# The DDL a revision sends, in the forms MySQL commits the open
# transaction before: named, not guessed, since a statement taken for
# one that does not commit (CREATE TEMPORARY TABLE, DROP PREPARE) would
# leave the rows uncommitted, while a statement missed here only costs
# a commit of their own.
_COMMITS_BEFORE = re.compile(
    r'\s*(?:(?:CREATE|DROP)\s+(?:OR\s+REPLACE\s+)?'
    r'(?:UNIQUE\s+|FULLTEXT\s+|SPATIAL\s+)?(?:TABLE|INDEX|VIEW|SEQUENCE)'
    r'|ALTER\s+(?:ONLINE\s+|IGNORE\s+)*(?:TABLE|VIEW|SEQUENCE)'
    r'|RENAME\s+TABLE|TRUNCATE)\b', re.IGNORECASE)


def commits_before(statement):
    """Whether MySQL commits the open transaction before statement."""
    return bool(_COMMITS_BEFORE.match(statement))


# The table a DDL statement locks, as written by Alembic and by hand.
_LOCKED_NAME = r'[`"]?(?P<table>[A-Za-z0-9_$]+)[`"]?'
_TARGET = re.compile(
    r'^\s*(?:ALTER\s+TABLE\s+(?:ONLY\s+)?(?:IF\s+EXISTS\s+)?|'
    r'DROP\s+TABLE\s+(?:IF\s+EXISTS\s+)?|'
    r'CREATE\s+(?:UNIQUE\s+)?INDEX\s+.*?\s+ON\s+(?:ONLY\s+)?|'
    r'RENAME\s+TABLE\s+|TRUNCATE\s+(?:TABLE\s+)?)' + _LOCKED_NAME,
    re.IGNORECASE | re.DOTALL)


def target_table(statement):
    """The table a DDL statement works on, or None."""
    match = _TARGET.match(statement or '')
    return match['table'] if match else None


# A PostgreSQL name, schema-qualified or not, quoted or not, and what
# may follow it: a name that runs on in a character not read here (a
# letter beyond ASCII, a doubled quote) is not read at all.
_BARE_NAME = r'(?P<name>(?:"[^"]+"|[A-Za-z_][A-Za-z0-9_$]*)' \
             r'(?:\.(?:"[^"]+"|[A-Za-z_][A-Za-z0-9_$]*))?)'
_NAME = _BARE_NAME + r'(?=[\s(),;]|$)'

# A bound parameter, %(name)s, may stand among a row's values.
_VALUES = r'\((?:[^()]|%\(\w+\)s)*\)'


@functools.cache
def _table_patterns():
    """tables_of's patterns, compiled on its first call.

    Only PostgreSQL's runs ask it (table_scope.py), and every process
    that reads a driver's error imports this module: compiled at import,
    they were most of what importing it cost every command, on every
    backend (doc/source/performance.rst, "A fourth look").
    """
    return types.SimpleNamespace(
        # A table made from a column list alone: not AS a query, LIKE,
        # INHERITS or PARTITION OF another table, which lock or link that
        # one.
        create_table=re.compile(
            r'^\s*CREATE\s+TABLE\s+(?:IF\s+NOT\s+EXISTS\s+)?' + _NAME
            + r'\s*\((?P<rest>.*)$', re.IGNORECASE | re.DOTALL),
        made_from_another=re.compile(
            r'\b(?:AS|LIKE|INHERITS|PARTITION|SELECT|TABLE)\b',
            re.IGNORECASE),
        if_not_exists=re.compile(
            r'^\s*CREATE\s+TABLE\s+IF\s+NOT\s+EXISTS\s', re.IGNORECASE),
        # A new type or sequence, but not one OWNED BY a table's column.
        new_object=re.compile(
            r'^\s*CREATE\s+(?:TYPE|SEQUENCE)\s(?!.*\bOWNED\s+BY\b)',
            re.IGNORECASE | re.DOTALL),
        # Statements on one table, harmless when that table is the run's.
        on_table=re.compile(
            r'^\s*(?:ALTER\s+TABLE\s+(?:IF\s+EXISTS\s+)?(?:ONLY\s+)?|'
            r'CREATE\s+(?:UNIQUE\s+)?INDEX\s+(?:CONCURRENTLY\s+)?'
            r'(?:IF\s+NOT\s+EXISTS\s+)?\S+\s+ON\s+(?:ONLY\s+)?|'
            r'COMMENT\s+ON\s+TABLE\s+)' + _NAME + r'(?P<rest>.*)$',
            re.IGNORECASE | re.DOTALL),
        # What an ALTER TABLE may do to another table, or to its own name.
        alters_more=re.compile(
            r'\b(?:RENAME\s+TO|SET\s+SCHEMA|ATTACH|DETACH|INHERIT|OF)\b',
            re.IGNORECASE),
        # Rows written to one table, reading no other: values without a
        # function or a subquery (no parenthesis within them), no FROM,
        # USING or JOIN, no TABLE.
        insert=re.compile(
            r'^\s*INSERT\s+INTO\s+' + _NAME
            + r'\s*(?:\([^()]*\))?\s*VALUES\s*' + _VALUES
            + r'(?:\s*,\s*' + _VALUES + r')*\s*;?\s*$', re.IGNORECASE),
        change_rows=re.compile(
            r'^\s*(?:UPDATE\s+(?:ONLY\s+)?|DELETE\s+FROM\s+(?:ONLY\s+)?)'
            + _NAME + r'(?P<rest>[^()]*)$', re.IGNORECASE | re.DOTALL),
        reads_more=re.compile(r'\b(?:SELECT|FROM|USING|JOIN|TABLE)\b',
                              re.IGNORECASE),
        comment_on_column=re.compile(
            r'^\s*COMMENT\s+ON\s+COLUMN\s+' + _BARE_NAME
            + r'\.[^.\s]+\s+IS\s', re.IGNORECASE),
        references=re.compile(r'\bREFERENCES\s+' + _NAME, re.IGNORECASE),
        references_word=re.compile(r'\bREFERENCES\b', re.IGNORECASE))


def _normal(name):
    """A table name as PostgreSQL keeps it: unquoted parts folded."""
    return '.'.join(part[1:-1] if part.startswith('"') else part.lower()
                    for part in re.findall(r'"[^"]+"|[^.]+', name))


def tables_of(statement):
    """(created, used) for one statement.

    :returns: the table it creates (or None) and the set of tables it
        works on or refers to; used is None when the statement is not
        one recognised here (it may touch anything)
    """
    patterns = _table_patterns()
    references = [_normal(match['name'])
                  for match in patterns.references.finditer(statement)]
    if len(references) != len(
            patterns.references_word.findall(statement)):
        return None, None
    references = set(references)
    created = patterns.create_table.match(statement)
    if created and not patterns.made_from_another.search(created['rest']):
        name = _normal(created['name'])
        if patterns.if_not_exists.match(statement):
            # It may be there already: a table it uses, not one it made.
            return None, references | {name}
        return name, references
    if created is None and patterns.new_object.match(statement):
        return None, references
    on_table = patterns.on_table.match(statement)
    if on_table and not patterns.alters_more.search(on_table['rest']):
        return None, references | {_normal(on_table['name'])}
    on_column = patterns.comment_on_column.match(statement)
    if on_column:
        return None, references | {_normal(on_column['name'])}
    rows = (patterns.insert.match(statement)
            or patterns.change_rows.match(statement))
    if rows and not patterns.reads_more.search(
            rows.groupdict().get('rest') or ''):
        return None, {_normal(rows['name'])}
    return None, None


# What in_place gives each kind of statement; CREATE INDEX's clauses
# follow its column list without commas.
_ALTER_IN_PLACE = ', ALGORITHM=INPLACE, LOCK=NONE'
_INDEX_IN_PLACE = ' ALGORITHM=INPLACE LOCK=NONE'
_ALTER_TABLE = re.compile(r'^\s*ALTER\s+(?:ONLINE\s+|IGNORE\s+)*TABLE\s',
                          re.IGNORECASE)
_CREATE_INDEX = re.compile(
    r'^\s*CREATE\s+(?:OR\s+REPLACE\s+)?(?:UNIQUE\s+|FULLTEXT\s+|SPATIAL\s+)?'
    r'INDEX\s', re.IGNORECASE)
_STATES_ITS_OWN = re.compile(r'\b(?:ALGORITHM|LOCK)\s*=', re.IGNORECASE)
_ONLY_RENAME = re.compile(
    r'^\s*ALTER\s+TABLE\s+\S+\s+RENAME\s+(?:TO\s+|AS\s+)?\S+\s*$',
    re.IGNORECASE)


def in_place(statement):
    """statement with ALGORITHM=INPLACE, LOCK=NONE, or as it was.

    Given to ALTER TABLE and CREATE INDEX. Left as written: a statement
    that names its own ALGORITHM or LOCK (a revision that must copy says
    so); DROP INDEX, which MariaDB takes with neither clause and InnoDB
    runs in place anyway; ALTER TABLE ... RENAME TO alone, whose moment
    of exclusive lock LOCK=NONE would refuse.
    """
    # The anchored matches first: most statements a run sends (its
    # version and journal rows) are neither, and are long.
    if _ALTER_TABLE.match(statement):
        clause = _ALTER_IN_PLACE
    elif _CREATE_INDEX.match(statement):
        clause = _INDEX_IN_PLACE
    else:
        return statement
    if _STATES_ITS_OWN.search(statement) or _ONLY_RENAME.match(statement):
        return statement
    return statement.rstrip().rstrip(';') + clause


# SQLite's table copy (Alembic's batch mode) names the copy for the
# table it replaces.
_TABLE_COPY = re.compile(r'^\s*CREATE\s+TABLE\s+[`"]?_alembic_tmp_'
                         r'(?P<table>[A-Za-z0-9_$]+)', re.IGNORECASE)
_WORD = re.compile(r'[A-Za-z_][A-Za-z0-9_$]*')


def names_on_table(statement):
    """(table, the names statement mentions, copied), or None.

    copied: the statement builds the copy that replaces the whole table
    (SQLite); its names are then the new table's. None for a statement
    that changes no one table (or that this cannot read).
    """
    copy = _TABLE_COPY.match(statement)
    table = copy['table'] if copy else target_table(statement)
    if table is None:
        return None
    return table, frozenset(_WORD.findall(statement)), bool(copy)


_END = re.compile(r';[ \t]*\n')


def statements_of(script):
    """The statements of script, as Alembic's --sql writes one.

    Each ends with ';' at the end of a line; comment lines are left out.
    """
    return [statement for statement in (
        '\n'.join(line for line in chunk.splitlines()
                  if not line.lstrip().startswith('--')).strip()
        for chunk in _END.split(script)) if statement]
