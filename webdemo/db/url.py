"""Database URLs as an operator may see them: never with a password."""

import re

from sqlalchemy.engine import make_url
from sqlalchemy import exc as sa_exc

MASK = '***'

# Used only when the URL does not parse, to find what may be a password.
_USERINFO_PASSWORD = re.compile(r'://[^/@:]*:([^/@]+)@')
# Where a password stands in text: a URL's user information, or a
# libpq-style password=... pair.
_PASSWORD_PLACES = re.compile(
    r'(?P<before>://[^/@\s:]*:|\bpassword=)(?P<password>[^/@\s]+)'
    r'(?P<after>@|\s|$)')


def display(url):
    """Return url as text with any password replaced by ***.

    A value that does not parse as a URL is not shown at all: where its
    password would be cannot be known.
    """
    if not url or not url.strip():
        return '(empty)'
    try:
        return make_url(url).render_as_string(hide_password=True)
    except (sa_exc.ArgumentError, TypeError, ValueError):
        return '(not a valid URL; not shown)'


def password(url):
    """Return the password in url, or None; also for a malformed url."""
    try:
        return make_url(url).password
    except (sa_exc.ArgumentError, TypeError, ValueError):
        match = _USERINFO_PASSWORD.search(str(url or ''))
        return match.group(1) if match else None


def redact(text, url):
    """Mask the passwords in text by their place, not by their letters.

    Every URL's password (and a password=... pair) in text is shown as
    ***. The same letters elsewhere are left: a password 'postgres' or
    'database' must not garble the scheme or the message around it.

    :param url: the configured URL: nothing is masked when it has no
        password (SQLite), so that a message is never changed needlessly
    """
    if not password(url):
        return text
    return _PASSWORD_PLACES.sub(
        lambda found: found['before'] + MASK + found['after'], str(text))
