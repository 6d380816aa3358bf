"""oslo.middleware's options the API uses ([oslo_middleware]).

Registered on the API's ConfigOpts before it is loaded
(api/app.load_configuration), so that a config file and the
OS_OSLO_MIDDLEWARE__* variables set them and a bad value stops the
service at start; not by webdemo-manage, which needs none of them and
would import all of oslo.middleware for them. The sample config lists
them through oslo.middleware's own namespaces (etc/webdemo/).
"""

from oslo_middleware import opts


def register_opts(conf):
    for listing in (opts.list_opts_basic_auth, opts.list_opts_sizelimit):
        for group, options in listing():
            conf.register_opts(options, group=group)
