"""The release before this one, as a deployer has it: installed from git.

PREVIOUS is the last commit before the projects change (expand
dba815cb5924, contract 1fd0aa0adf0f). It is cloned from this
repository ($WEBDEMO_GIT_REPO, by default the checkout these tests run
from) at that commit, and pip-installed with its own requirements into
a virtualenv of its own under $WEBDEMO_PREVIOUS_RELEASE_DIR (default
/tmp/webdemo-previous-<commit>): once, then reused. Nothing of it is
copied into this tree.
"""

import fcntl
import os
import subprocess
import sys

import webdemo

PREVIOUS = 'aa8fbc516a48ebe9bdc8b2e8828b3ffd36f2de65'
# Its release level (webdemo/release.py there): it writes rows without
# a project, which contract 1fd0aa0adf0f (release_level_needed 3)
# refuses while it runs.
PREVIOUS_LEVEL = 2


def _repository():
    return os.environ.get('WEBDEMO_GIT_REPO') or os.path.dirname(
        os.path.dirname(os.path.abspath(webdemo.__file__)))


def home():
    return os.environ.get('WEBDEMO_PREVIOUS_RELEASE_DIR',
                          f'/tmp/webdemo-previous-{PREVIOUS[:12]}')


def install():
    """The previous release's bin directory, installed if need be.

    Test processes may ask at once: one installs, the others wait.
    """
    where = home()
    os.makedirs(where, exist_ok=True)
    bin_dir = os.path.join(where, 'venv', 'bin')
    with open(os.path.join(where, '.lock'), 'w') as lock:
        fcntl.flock(lock, fcntl.LOCK_EX)
        if not os.path.exists(os.path.join(where, 'installed')):
            _install(where)
    return bin_dir


def _install(where):
    source = os.path.join(where, 'src')
    if not os.path.isdir(source):
        _run('git', 'clone', '--quiet', '--no-checkout', _repository(),
             source)
    _run('git', '-C', source, 'checkout', '--quiet', '--detach', PREVIOUS)
    _run(sys.executable, '-m', 'venv', os.path.join(where, 'venv'))
    _run(os.path.join(where, 'venv', 'bin', 'pip'), 'install', '--quiet',
         f'{source}[mysql,postgresql]')
    open(os.path.join(where, 'installed'), 'w').close()


def _run(*command):
    result = subprocess.run(command, capture_output=True, text=True)
    if result.returncode:
        raise RuntimeError(f'installing the previous release: '
                           f'{" ".join(command)} exited '
                           f'{result.returncode}: {result.stderr[-2000:]}')
