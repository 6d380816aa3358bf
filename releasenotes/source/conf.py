"""Sphinx configuration for webdemo's release notes (reno)."""

project = 'webdemo Release Notes'
copyright = 'webdemo developers'
extensions = ['reno.sphinxext']
source_suffix = '.rst'
master_doc = 'index'
exclude_patterns = []
html_theme = 'alabaster'
html_static_path = []
