"""Unit tests of webdemo/db/history/."""
