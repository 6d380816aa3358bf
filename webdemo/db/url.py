"""Database URLs as an operator may see them: never with a password."""

import re

from sqlalchemy.engine import make_url
from sqlalchemy import exc as sa_exc

MASK = '***'

# Used only when the URL does not parse, to find what may be a password.
_USERINFO_PASSWORD = re.compile(r'://[^/@:]*:([^/@]+)@')
# A query parameter that holds a password or a key's passphrase:
# password (psycopg2), passwd (PyMySQL), sslpassword, ssl_key_password.
_SECRET_KEY = r'\w*passw(?:or)?d'
_SECRET_NAME = re.compile(_SECRET_KEY)
_QUERY_SECRET = re.compile(rf'(?P<before>[?&]{_SECRET_KEY}=)[^&]*')
# Where a password stands in text: a URL's user information, or a
# key=value pair (libpq's password=..., a query's).
_PASSWORD_PLACES = (
    re.compile(r'(?P<before>://[^/@\s:]*:)(?P<password>[^/@\s]+)'
               r'(?P<after>@|\s|$)'),
    re.compile(rf'(?P<before>\b{_SECRET_KEY}=)(?P<password>[^\s&]+)'
               r'(?P<after>&|\s|$)'),
)


def misread(url):
    """Why url would be read wrongly, with a password where it shows; or None.

    SQLAlchemy takes a URL's user information up to its first '@', so an
    '@' of a password not written %40 puts the rest of the password in
    the host, or (after a '/' of the password) in the database's name;
    and a '/' or ':' of a password not written %2F or %3A ends the user
    information early, putting it in the port. SQLite's file paths have
    no user information.
    """
    text = str(url or '')
    if text.startswith('sqlite'):
        return None
    try:
        parsed = make_url(text)
    except ValueError:
        return ("its port is not a number: write a '/', ':' or '@' of "
                'the password as %2F, %3A or %40, or correct the port')
    except (sa_exc.ArgumentError, TypeError):
        return None  # not a URL at all, which its users explain as such
    database = parsed.database or ''
    if '@' in (parsed.host or '') or ('@' in database and '/' in database):
        return ("it has an '@' after the one before its host: write an "
                "'@' of the password as %40 (a '/' as %2F, a '?' as %3F)")
    return None


def display(url):
    """Return url as text with any password replaced by ***.

    Also a password given as a query parameter. A value that does not
    parse as a URL, or would be misread (misread()), is not shown at
    all: where its password would be cannot be known.
    """
    if not url or not url.strip():
        return '(empty)'
    if misread(url):
        return '(not a valid URL; not shown)'
    try:
        shown = make_url(url).render_as_string(hide_password=True)
    except (sa_exc.ArgumentError, TypeError, ValueError):
        return '(not a valid URL; not shown)'
    return _QUERY_SECRET.sub(lambda found: found['before'] + MASK, shown)


def password(url):
    """Return the password in url, or None; also for a malformed url.

    The user information's, or else a secret query parameter's.
    """
    try:
        parsed = make_url(url)
    except (sa_exc.ArgumentError, TypeError, ValueError):
        match = _USERINFO_PASSWORD.search(str(url or ''))
        return match.group(1) if match else None
    return parsed.password or next(
        (value for key, value in parsed.query.items()
         if _SECRET_NAME.fullmatch(key)), None)


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
    text = str(text)
    for place in _PASSWORD_PLACES:
        text = place.sub(_masked, text)
    return text


def _masked(found):
    # A URL display() made is masked already, and its *** may run on into
    # one mark after it (password=***: ...): that is left as it is.
    secret = found['password']
    if secret == MASK or (secret[:-1] == MASK and not secret[-1].isalnum()):
        return found[0]
    return found['before'] + MASK + found['after']
