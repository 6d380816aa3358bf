"""Sphinx's configuration for webdemo's documentation (tox -e docs).

What can be generated is, at build time, from the code itself: the
configuration options (oslo_config.sphinxext), the policy rules
(oslo_policy.sphinxext), the CLI's commands and exit codes, and the
revision graph (_exts/generated.py); and the benchmark's plots from
the figures tools/db_benchmark.py --save wrote (_exts/plots.py).
"""

import os
import sys

sys.path.insert(0, os.path.join(os.path.dirname(__file__), '_exts'))

project = 'webdemo'
copyright = 'webdemo contributors'
extensions = [
    'oslo_config.sphinxext',
    'oslo_policy.sphinxext',
    'sphinx.ext.graphviz',
    'generated',
    'plots',
]
# What _exts/generated.py writes is included by the pages, not a page.
exclude_patterns = ['_build', '_generated']
graphviz_output_format = 'svg'
html_theme = 'alabaster'
html_static_path = []
