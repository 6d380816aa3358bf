"""Unit tests of webdemo/db/state/."""
