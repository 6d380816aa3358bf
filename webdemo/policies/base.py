"""The roles every rule is made of, as named rules operators can reuse."""

from oslo_policy import policy

ADMIN = 'rule:admin_api'
PROJECT_READER_OR_ADMIN = 'rule:admin_api or rule:project_reader_api'
PROJECT_MEMBER_OR_ADMIN = 'rule:admin_api or rule:project_member_api'

# Every action acts on a project's rows: a token scoped to a project.
SCOPE = ['project']

_RULES = [
    policy.RuleDefault(
        'admin_api', 'role:admin',
        description='An admin, in any project: acts on every project.'),
    policy.RuleDefault(
        'project_reader_api', 'role:reader and project_id:%(project_id)s',
        description='A reader of the project that owns the target.'),
    policy.RuleDefault(
        'project_member_api', 'role:member and project_id:%(project_id)s',
        description='A member of the project that owns the target.'),
]


def list_rules():
    return _RULES


def resource_rules(resource, path):
    """list, get, create, update and delete rules for one resource.

    :param resource: its name in the rules, e.g. 'user'
    :param path: its collection path, e.g. '/v1/users'
    """
    item = f'{path}/{{{resource}_id}}'
    actions = [
        ('list', PROJECT_READER_OR_ADMIN, f'List {resource}s', path, 'GET'),
        ('get', PROJECT_READER_OR_ADMIN, f'Show one {resource}', item, 'GET'),
        ('create', PROJECT_MEMBER_OR_ADMIN, f'Create one {resource}', path,
         'POST'),
        ('update', PROJECT_MEMBER_OR_ADMIN, f'Update one {resource}', item,
         'PATCH'),
        ('delete', PROJECT_MEMBER_OR_ADMIN, f'Delete one {resource}', item,
         'DELETE'),
    ]
    actions.append(('list:all_projects', ADMIN,
                    f'List every project\'s {resource}s (without it, a '
                    f'list shows the caller\'s project\'s)', path, 'GET'))
    return [policy.DocumentedRuleDefault(
        name=f'webdemo:{resource}:{action}', check_str=check,
        description=f'{what}.',
        operations=[{'path': on, 'method': method}], scope_types=SCOPE)
        for action, check, what, on, method in actions]
