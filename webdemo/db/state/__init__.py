"""Where a database stands: read it, judge what was read (pure), the checks
before a change, legacy databases, and how every changing command starts."""
