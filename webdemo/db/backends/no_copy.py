"""MySQL/MariaDB: a migration's DDL may not copy a table behind its back.

InnoDB makes most changes in place while the service goes on writing:
it adds a column instantly, builds an index online. Some changes it can
make only by copying the table, with the table's writes stopped for as
long as the copy takes (a column's type changed, a foreign key added
while foreign_key_checks is on, a full-text index); left to choose, the
server copies without a word. So every ALTER TABLE and CREATE INDEX a
migration sends states what it may do: ALGORITHM=INPLACE, LOCK=NONE.
MariaDB (10.3.7 on) reads INPLACE as "in place or better" and still
adds a column instantly. A change the server could make only by copying
is then refused at once, with the server's reason, before anything is
copied (errors.Kind.TABLE_COPY; exit code 16), instead of stopping the
service's writes: an operator who can stop them runs that sync with
--allow-table-copy, which leaves the statements as they were written.

Left as written:
- a statement that states its own ALGORITHM or LOCK: a revision that
  must copy says so in its SQL, and to the DDL rules test
  (webdemo/tests/ddl_rules.py);
- DROP INDEX: InnoDB drops an index in place, always, and MariaDB's
  DROP INDEX takes neither clause;
- ALTER TABLE ... RENAME TO alone: renaming takes a moment's exclusive
  lock, which LOCK=NONE would refuse.

On MySQL proper (CI runs MariaDB) INPLACE means exactly in place: a
column that MySQL 8 would add instantly is added by an online rebuild,
which still lets writes go on.
"""

import re

# What each kind of statement is given; the clauses of CREATE INDEX
# follow its column list without commas.
_ALTER_CLAUSES = ', ALGORITHM=INPLACE, LOCK=NONE'
_INDEX_CLAUSES = ' ALGORITHM=INPLACE LOCK=NONE'

_ALTER = re.compile(r'^\s*ALTER\s+(?:ONLINE\s+|IGNORE\s+)*TABLE\s', re.I)
_CREATE_INDEX = re.compile(
    r'^\s*CREATE\s+(?:OR\s+REPLACE\s+)?(?:UNIQUE\s+|FULLTEXT\s+|SPATIAL\s+)?'
    r'INDEX\s', re.I)
_STATES_ITS_OWN = re.compile(r'\b(?:ALGORITHM|LOCK)\s*=', re.I)
_ONLY_RENAME = re.compile(
    r'^\s*ALTER\s+TABLE\s+\S+\s+RENAME\s+(?:TO\s+|AS\s+)?\S+\s*$', re.I)


def stated(statement):
    """statement, saying that it may not copy its table (or as it was)."""
    if _STATES_ITS_OWN.search(statement) or _ONLY_RENAME.match(statement):
        return statement
    if _ALTER.match(statement):
        return statement.rstrip().rstrip(';') + _ALTER_CLAUSES
    if _CREATE_INDEX.match(statement):
        return statement.rstrip().rstrip(';') + _INDEX_CLAUSES
    return statement


def before_cursor_execute(conn, cursor, statement, parameters, context,
                          executemany):
    """The listener (retval=True) that states it on every statement."""
    return stated(statement), parameters
