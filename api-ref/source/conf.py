# The API reference (tox -e api-ref), written with os-api-ref as
# OpenStack projects publish theirs. Its samples are checked against a
# live webdemo-api by webdemo/tests/functional/test_api_ref.py.

extensions = ['os_api_ref', 'openstackdocstheme']

project = 'webdemo'
copyright = '2026, the webdemo developers'
html_theme = 'openstackdocs'
html_title = 'webdemo API reference'
master_doc = 'index'
openstackdocs_repo_name = 'webdemo/webdemo'
openstackdocs_bug_project = 'webdemo'
openstackdocs_bug_tag = 'api-ref'
openstackdocs_auto_name = False
# The microversions the pages mark (api/versions.py's VERSIONS).
os_api_ref_min_microversion = '1.0'
os_api_ref_max_microversion = '1.0'
