"""The rules of each phase, judged on the SQL a revision really ran.

Expand runs while the previous release serves: it may add, never take
away. Contract runs once that release is gone: it may take away, never
add. The functional test test_ddl_rules runs every revision of both
branches on each backend, records every statement the database received
(whatever wrote it: Alembic's op.* or raw op.execute), and hands them to
violations() below. Pure: statements in, broken rules out.

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


def _contract_rules(statement, dialect):
    text = ' '.join(statement.split())
    if re.match(r'CREATE\b', text, re.I) or re.search(
            r'\bADD\b(?!\s+DEFAULT)', text, re.I):
        return [Violation(CREATE, statement, 'creates something: additions '
                          'belong in expand, where the new release can '
                          'rely on them from its start')]
    return []
