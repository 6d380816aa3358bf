"""Unit tests of webdemo/db/rolling/."""
