"""May the caller do this? The policy check every route makes first.

The caller is read from the WSGI environment that authentication.py
filled, as an oslo.context RequestContext, once per request; the rule
is checked by the process's enforcer (webdemo/policy.py). A refusal is
a 403 naming the rule.
"""

import flask
from oslo_context import context as oslo_context
from werkzeug import exceptions

from webdemo import policy

ENFORCER = 'webdemo.policy'


def caller():
    """The request's RequestContext (401 if no one authenticated)."""
    if 'context' not in flask.g:
        found = oslo_context.RequestContext.from_environ(
            flask.request.environ)
        if not found.user_id:
            # Authentication middleware answers first; this is the net
            # under it, should the pipeline ever be built without it.
            raise exceptions.Unauthorized('authenticate first.')
        flask.g.context = found
    return flask.g.context


def check(rule, project_id=None):
    """A 403 unless the caller may perform rule on project_id's rows.

    :param project_id: the project owning the target; None for the
        caller's own (a list, or a row created in its project)
    """
    context = caller()
    target = {'project_id': project_id or context.project_id}
    try:
        policy.authorize(flask.current_app.config[ENFORCER], rule, target,
                         context)
    except policy.Denied as denied:
        raise exceptions.Forbidden(str(denied)) from None
