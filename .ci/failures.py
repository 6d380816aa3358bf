"""Name each failed test of the last stestr run, with its traceback.

CI's log is long and may be shown only in part: printed last, the
failures stay in view. Reads `stestr failing --subunit` on stdin; the
logging each test captured is left out, its traceback kept.

    stestr failing --subunit | python .ci/failures.py
"""

import sys

import subunit
import testtools

# The end of a traceback says what failed; its start is the runner's.
TRACEBACK_LINES = 30


def show(test):
    if test['status'] not in ('fail', 'uxsuccess'):
        return
    print(f'FAILED {test["id"]}')
    for name, content in test['details'].items():
        if name.startswith('traceback'):
            lines = content.as_text().splitlines()
            print('\n'.join(lines[-TRACEBACK_LINES:]))


def main():
    stream = subunit.ByteStreamToStreamResult(sys.stdin.buffer)
    result = testtools.StreamToDict(show)
    result.startTestRun()
    try:
        stream.run(result)
    finally:
        result.stopTestRun()


if __name__ == '__main__':
    main()
