"""Unit tests of webdemo/db/locking/."""
