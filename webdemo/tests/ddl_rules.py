"""The rules of each phase, judged on the SQL a revision really ran.

Expand runs while the previous release serves: it may add, never take
away. Contract runs once that release is gone: it may take away, never
add. The functional test test_ddl_rules runs every revision of both
branches on each backend, records every statement the database received
(whatever wrote it: Alembic's op.* or raw op.execute), and hands them to
violations() below. Pure: statements in, broken rules out.

On MySQL/MariaDB, in both phases, a statement may not copy a table or
stop its writes (table-copy), as Atlas's MY1xx checks flag it: the
runner states ALGORITHM=INPLACE, LOCK=NONE on every ALTER TABLE and
CREATE INDEX (webdemo/db/backends/mysql.py), so the test walks with
that too and reports a statement the server refuses; what the server
is never asked here (a revision's own ALGORITHM=COPY or LOCK=SHARED, a
foreign key added to a table that exists, a character set converted,
a full-text index) is read from its text.

A revision may break a rule on purpose; it says so, with the reason, in
a module attribute the test reads and prints::

    ddl_rule_exceptions = {'narrow': 'why the previous release is safe'}
"""

import dataclasses
import re

# Rule names, as ddl_rule_exceptions spells them.
DROP = 'drop'
RENAME = 'rename'
NARROW = 'narrow'
NOT_NULL_WITHOUT_DEFAULT = 'not-null-without-default'
INDEX_WITHOUT_CONCURRENTLY = 'index-without-concurrently'
REBUILD = 'rebuild'
TABLE_COPY = 'table-copy'
CREATE = 'create'
OPAQUE = 'opaque'

_DDL = re.compile(r'^\s*(CREATE|ALTER|DROP|RENAME|TRUNCATE|DO)\b', re.I)
_COMMENTS = re.compile(r'^(\s*(--[^\n]*(\n|$)|/\*.*?\*/))*', re.S)
_BOOKKEEPING = re.compile(r'\balembic_version\b', re.I)
# SQLite batch mode: copy into a new table, drop the old, rename.
_BATCH_COPY = re.compile(r'\b_alembic_tmp_(\w+)', re.I)


@dataclasses.dataclass(frozen=True)
class Violation:
    rule: str
    statement: str
    why: str


def ddl_of(statements):
    """The schema-changing statements, without Alembic's bookkeeping.

    Leading comments are dropped first: they must not hide a statement.
    """
    bare = (_COMMENTS.sub('', statement, count=1) for statement in statements)
    return [statement for statement in bare
            if _DDL.match(statement) and not _BOOKKEEPING.search(statement)]


def violations(phase, statements, dialect):
    """Every rule of phase ('expand' or 'contract') statements break.

    :param statements: the SQL the revision ran, in order
    :param dialect: 'sqlite', 'mysql' or 'postgresql'
    """
    found = []
    for statement, rebuilt in _group_rebuilds(ddl_of(statements)):
        if rebuilt:
            if phase == 'expand':
                found.append(Violation(REBUILD, statement, (
                    f'rebuilds table {rebuilt} (SQLite batch mode: copies '
                    'it, drops it, renames the copy)')))
            continue
        if re.match(r'\s*DO\b', statement, re.I):
            found.append(Violation(OPAQUE, statement, (
                'runs a procedural block whose statements these rules '
                'cannot see')))
            continue
        check = _expand_rules if phase == 'expand' else _contract_rules
        found.extend(check(statement, dialect))
        if dialect == 'mysql':
            found.extend(_copy_rules(statement))
    return found


def _group_rebuilds(statements):
    """(statement, None), or (first statement, table) for a batch copy.

    The copy's statements (create, drop, rename, and the indexes made
    again on the renamed table) are one rebuild of one table.
    """
    grouped, table = [], None
    for statement in statements:
        copied = _BATCH_COPY.search(statement)
        if copied and re.match(r'\s*CREATE\s+TABLE', statement, re.I):
            table = copied.group(1)
            grouped.append((statement, table))
            continue
        if table and _belongs_to_rebuild(statement, table):
            continue
        table = None
        grouped.append((statement, None))
    return grouped


def _belongs_to_rebuild(statement, table):
    quoted = rf'["`]?{re.escape(table)}["`]?'
    return bool(
        _BATCH_COPY.search(statement) or
        re.match(rf'\s*DROP\s+TABLE\s+{quoted}\s*$', statement, re.I) or
        re.match(rf'\s*CREATE\s+(UNIQUE\s+)?INDEX\s+\S+\s+ON\s+{quoted}\b',
                 statement, re.I))


def _expand_rules(statement, dialect):
    text = ' '.join(statement.split())
    found = []
    if re.search(r'\bDROP\b(?!\s+NOT\s+NULL)|^TRUNCATE\b', text, re.I):
        found.append(Violation(DROP, statement, 'drops something the '
                               'previous release may still use'))
    if re.search(r'\bRENAME\b|\bCHANGE\s+(COLUMN\s+)?\S+\s+\S+', text, re.I):
        found.append(Violation(RENAME, statement, 'renames something the '
                               'previous release uses by its old name'))
    if re.search(r'\bALTER\s+(COLUMN\s+)?\S+\s+(SET\s+DATA\s+)?TYPE\b'
                 r'|\bSET\s+NOT\s+NULL\b|\bMODIFY\b', text, re.I):
        found.append(Violation(NARROW, statement, 'changes a column\'s type '
                               'or nullability, which may narrow it'))
    if re.search(r'\bFOREIGN\s+KEY\b|\bREFERENCES\b|\bCHECK\s*\(', text,
                 re.I):
        found.append(Violation(NARROW, statement, (
            'adds a foreign key or check constraint, which limits what '
            'the previous release may write')))
    if _adds_not_null_without_default(text):
        found.append(Violation(NOT_NULL_WITHOUT_DEFAULT, statement, (
            'adds a NOT NULL column without a server default: the '
            "previous release's inserts do not set it")))
    if dialect == 'postgresql' and _builds_index_blocking(text):
        found.append(Violation(INDEX_WITHOUT_CONCURRENTLY, statement, (
            'builds an index without CONCURRENTLY, blocking writes to the '
            'table until it is built')))
    return found


def _adds_not_null_without_default(text):
    for added in re.findall(r'\bADD\s+(?:COLUMN\s+)?(?!CONSTRAINT|INDEX|'
                            r'UNIQUE|KEY|PRIMARY|FOREIGN)(.*?)(?=,\s*ADD\b|$)',
                            text, re.I):
        if (re.search(r'\bNOT\s+NULL\b', added, re.I) and
                not re.search(r'\bDEFAULT\b', added, re.I)):
            return True
    return False


def _builds_index_blocking(text):
    if re.match(r'CREATE\s+(UNIQUE\s+)?INDEX\b', text, re.I):
        return not re.search(r'\bCONCURRENTLY\b', text, re.I)
    return bool(re.search(r'\bADD\s+(CONSTRAINT\s+\S+\s+)?(UNIQUE|PRIMARY'
                          r'\s+KEY)\b(?!.*\bUSING\s+INDEX\b)', text, re.I) or
                re.search(r'\bADD\s+(COLUMN\s+)?.*\b(UNIQUE|PRIMARY\s+KEY)\b',
                          text, re.I))


# What makes InnoDB copy a table or stop its writes, whatever the
# statement's clauses say, and why.
_COPIES = (
    (r'\bALGORITHM\s*=\s*COPY\b|\bLOCK\s*=\s*(SHARED|EXCLUSIVE)\b',
     'says itself that it copies the table or stops its writes'),
    (r'^ALTER\s+TABLE\b.*\bFOREIGN\s+KEY\b',
     'adds a foreign key to a table that exists, which InnoDB does by '
     'copying it unless foreign_key_checks is off'),
    (r'\bCONVERT\s+TO\s+(CHARACTER\s+SET|CHARSET)\b',
     'converts the table to another character set, by copying it'),
    (r'\b(FULLTEXT|SPATIAL)\b',
     'builds a full-text or spatial index, which stops the table\'s '
     'writes while it is built'),
    (r'\bDROP\s+PRIMARY\s+KEY\b(?!.*\bADD\s+PRIMARY\s+KEY\b)',
     'drops the primary key, which InnoDB does by copying the table'),
)


def _copy_rules(statement):
    text = ' '.join(statement.split())
    return [Violation(TABLE_COPY, statement, why)
            for pattern, why in _COPIES if re.search(pattern, text, re.I)]


def refused_copy(statement, reason):
    """The Violation of a statement the server would run only by copying.

    :param reason: the server's words when it refused ALGORITHM=INPLACE,
        LOCK=NONE
    """
    return Violation(TABLE_COPY, statement, (
        f'the server can run it only by copying the table or stopping its '
        f'writes ({reason})'))


def _contract_rules(statement, dialect):
    text = ' '.join(statement.split())
    if re.match(r'CREATE\b', text, re.I) or re.search(
            r'\bADD\b(?!\s+DEFAULT)', text, re.I):
        return [Violation(CREATE, statement, 'creates something: additions '
                          'belong in expand, where the new release can '
                          'rely on them from its start')]
    return []
