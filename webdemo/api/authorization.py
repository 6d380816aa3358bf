"""May the caller do this? The policy check every route makes first.

The caller is read from the WSGI environment that authentication.py
filled, as an oslo.context RequestContext, before each route (which
also makes it the context of the request's log lines); the rule
is checked by the process's enforcer (webdemo/policy.py). A refusal is
a 403 naming the rule.
"""

import flask
from oslo_context import context as oslo_context
from oslo_log import log as logging
from werkzeug import exceptions

from webdemo import policy

LOG = logging.getLogger(__name__)
ENFORCER = 'webdemo.policy'


def read_context():
    """Read the request's context, and make it oslo.log's.

    Run before every route: each line logged for the request then
    carries the request id a user sees in x-openstack-request-id and,
    once authenticated, the user and the project.
    """
    flask.g.context = oslo_context.RequestContext.from_environ(
        flask.request.environ)
    flask.g.context.update_store()


def caller():
    """The request's RequestContext (401 if no one authenticated)."""
    if not flask.g.context.user_id:
        # Authentication middleware answers first; this is the net
        # under it, should the pipeline ever be built without it.
        raise exceptions.Unauthorized('authenticate first.')
    return flask.g.context


def _authorize(rule, project_id):
    """policy.authorize for the caller on project_id's rows (None: its own).

    :raises webdemo.policy.Denied: the rule refuses
    """
    context = caller()
    policy.authorize(flask.current_app.config[ENFORCER], rule,
                     {'project_id': project_id or context.project_id},
                     context)


def check(rule, project_id=None):
    """A 403 unless the caller may perform rule on project_id's rows.

    :param project_id: the project owning the target; None for the
        caller's own (a list, or a row created in its project)
    """
    try:
        _authorize(rule, project_id)
    except policy.Denied as denied:
        # For the operator's audit: who, in which request, was refused.
        LOG.info('Policy refused %s on project %s.', rule,
                 project_id or caller().project_id)
        raise exceptions.Forbidden(str(denied)) from None


def visible(rule, item):
    """item if the caller may perform rule on it; else a 403, or None.

    Another project's item the caller may not act on is None, as if it
    did not exist (a 404): the caller learns nothing of other projects.

    :param item: the row as a dict with its project_id, or None
    """
    if item is None:
        return None
    try:
        check(rule, item['project_id'])
    except exceptions.Forbidden:
        if item['project_id'] != caller().project_id:
            return None
        raise
    return item


def listed_project(all_projects_rule):
    """The project a list shows: None (all) if all_projects_rule allows.

    A question, not a refusal: nothing is logged when the answer is no,
    as it is for most callers' every list.
    """
    try:
        _authorize(all_projects_rule, None)
    except policy.Denied:
        return caller().project_id
    return None


def own_project():
    """The caller's project, for a new row; a 403 for a caller with none."""
    project = caller().project_id
    if not project:
        raise exceptions.Forbidden(
            'a new item belongs to the caller\'s project: authenticate '
            'with a project-scoped token.')
    return project
