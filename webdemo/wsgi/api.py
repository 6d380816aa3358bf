"""The API for a WSGI server: ``webdemo.wsgi.api:application``.

For example ``gunicorn webdemo.wsgi.api:application``, uWSGI's
``--module webdemo.wsgi.api:application``, or mod_wsgi's
WSGIScriptAlias to this file. The configuration is read as
webdemo-manage reads it: oslo.config's default files
(/etc/webdemo/webdemo.conf, ...) and OS_* environment variables such
as OS_DATABASE__CONNECTION.
"""

from webdemo.api import app

application = app.init_application()
