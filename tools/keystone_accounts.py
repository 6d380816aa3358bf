"""The projects, users and roles webdemo's API tests expect in Keystone.

Run by tools/keystone.sh start, with the Keystone virtualenv's Python,
against a bootstrapped Keystone; safe to run again (it creates only what
is missing). As the admin of the admin project it makes:

- projects project-a and project-b, each with a reader, a member and an
  admin (users reader-a, member-a, admin-a, ...; bootstrap's implied
  roles make an admin a member and a member a reader);
- the user nobody, with no role anywhere;
- the service user webdemo, with the service role in project service,
  which keystonemiddleware uses to validate the callers' tokens.

Every password is NAME-Pa55word: a loopback test server's.

    python keystone_accounts.py http://127.0.0.1:15000/v3
"""

import sys

from keystoneauth1.identity import v3
from keystoneauth1 import session as ks_session

PROJECTS = ('project-a', 'project-b')
ROLES = ('reader', 'member', 'admin')
SERVICE_USER = 'webdemo'


def password(name):
    return f'{name}-Pa55word'


class Keystone:
    """The few identity API calls the set-up needs, as the admin."""

    def __init__(self, url):
        auth = v3.Password(auth_url=url, username='admin',
                           password=password('admin'), project_name='admin',
                           user_domain_id='default',
                           project_domain_id='default')
        self._session = ks_session.Session(auth=auth)
        self._url = url

    def _get(self, path, key, name):
        found = self._session.get(f'{self._url}/{path}',
                                  params={'name': name}).json()[key]
        return found[0]['id'] if found else None

    def ensure(self, path, key, name, **fields):
        """The id of the named object; made if missing."""
        existing = self._get(path, key, name)
        if existing:
            return existing
        made = self._session.post(
            f'{self._url}/{path}',
            json={key[:-1]: {'name': name, **fields}}).json()
        return made[key[:-1]]['id']

    def grant(self, project, user, role):
        self._session.put(f'{self._url}/projects/{project}/users/{user}'
                          f'/roles/{role}')


def main(url):
    keystone = Keystone(url)
    roles = {name: keystone.ensure('roles', 'roles', name)
             for name in (*ROLES, 'service')}

    def user(name):
        return keystone.ensure('users', 'users', name, domain_id='default',
                               password=password(name))

    for project_name in PROJECTS:
        project = keystone.ensure('projects', 'projects', project_name,
                                  domain_id='default')
        for role in ROLES:
            keystone.grant(project, user(f'{role}-{project_name[-1]}'),
                           roles[role])
    user('nobody')
    service = keystone.ensure('projects', 'projects', 'service',
                              domain_id='default')
    keystone.grant(service, user(SERVICE_USER), roles['service'])


if __name__ == '__main__':
    main(sys.argv[1])
