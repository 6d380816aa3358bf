"""Unit tests of webdemo/db/backends/."""
