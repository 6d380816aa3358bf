"""Unit tests of webdemo/db/execution/."""
