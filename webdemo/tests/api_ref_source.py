"""The API reference's pages (api-ref/source) read as the exchanges they
show, for the tests that hold them to the code and to a live API.

Each method section of an ``.inc`` page, in page order, is one
exchange: its ``rest_method`` route, the request line of its ``http``
code block, its request and response samples (``-req.json`` and
``-resp.json``), its success status, and the parameters its Request and
Response tables list (name shown: key in parameters.yaml).
"""

import dataclasses
import json
import os
import re

import yaml

SOURCE = os.path.join(os.path.dirname(__file__), '..', '..', 'api-ref',
                      'source')
PAGES = ('versions.inc', 'users.inc', 'accounts.inc')

_ROUTE = re.compile(r'^\.\. rest_method:: (\S+) (\S+)$', re.M)
_REQUEST_LINE = re.compile(
    r'^\.\. code-block:: http\n\n +(\S+) (\S+) HTTP/1\.1$', re.M)
_SAMPLE = re.compile(r'^\.\. literalinclude:: (\S+)$', re.M)
_SUCCESS = re.compile(
    r'^\.\. rest_status_code:: success status\.yaml\n\n +- (\d+)$', re.M)
_PARAMETER = re.compile(r'^ +- (\S+): (\S+)$', re.M)
_ERRORS = re.compile(
    r'^\.\. rest_status_code:: error status\.yaml\n\n((?: +- \d+\n)+)', re.M)


@dataclasses.dataclass
class Exchange:
    title: str
    method: str
    route: str
    # The request line the example shows: its method and path.
    sent: str
    path: str
    status: int
    errors: tuple = ()
    request: dict = None
    response: dict = None
    request_parameters: dict = dataclasses.field(default_factory=dict)
    response_parameters: dict = dataclasses.field(default_factory=dict)
    samples: tuple = ()


def _heading(text, title):
    """text from the line after heading title to the next heading."""
    match = re.search(rf'^{title}\n-+\n(.*?)(?=^\S[^\n]*\n[-=]+\n|\Z)',
                      text, re.M | re.S)
    return match.group(1) if match else ''


def _parameters(text):
    tables = text.split('.. rest_parameters:: parameters.yaml')[1:]
    return dict(_PARAMETER.findall(''.join(tables)))


def _load(sample):
    with open(os.path.join(SOURCE, sample)) as source:
        return json.load(source)


def _exchange(title, section):
    method, route = _ROUTE.search(section).groups()
    sent, path = _REQUEST_LINE.search(section).groups()
    samples = tuple(_SAMPLE.findall(section))
    bodies = {sample.rsplit('-', 1)[1]: _load(sample) for sample in samples}
    return Exchange(
        title=title, method=method, route=route, sent=sent, path=path,
        status=int(_SUCCESS.search(section).group(1)),
        errors=tuple(int(code) for code in re.findall(
            r'\d+', _ERRORS.search(section).group(1))),
        request=bodies.get('req.json'), response=bodies.get('resp.json'),
        request_parameters=_parameters(_heading(section, 'Request')),
        response_parameters=_parameters(_heading(section, 'Response')),
        samples=samples)


def exchanges():
    """Every exchange of the pages, in the order a reader meets them."""
    found = []
    for page in PAGES:
        with open(os.path.join(SOURCE, page)) as source:
            text = source.read()
        # A method section: its title, then its body up to the next one.
        parts = re.split(r'^(\S[^\n]*)\n=+\n(?=\n\.\. rest_method::)',
                         text, flags=re.M)
        for title, section in zip(parts[1::2], parts[2::2]):
            found.append(_exchange(title, section))
    return found


def parameters():
    """parameters.yaml, read."""
    with open(os.path.join(SOURCE, 'parameters.yaml')) as source:
        return yaml.safe_load(source)


def sample_files():
    """Every sample file under api-ref/source/samples, relative."""
    top = os.path.join(SOURCE, 'samples')
    return {os.path.relpath(os.path.join(directory, name), SOURCE)
            for directory, _, names in os.walk(top) for name in names}
