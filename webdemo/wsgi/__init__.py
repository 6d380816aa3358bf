"""WSGI entry points for deployers' WSGI servers."""
