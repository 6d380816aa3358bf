"""webdemo's REST API: a Flask application under /v1 (app.py)."""
