"""The runner both flow scripts share: checks register with @check and run one
by one, each failure reported (with the failing lines of the script itself)
without hiding the others; and the small assertions they both use."""

import datetime
import traceback

CHECKS = []


def check(fn):
    CHECKS.append(fn)
    return fn


def run_checks(title, script):
    """Runs every registered check; returns the exit status (1 if any failed)."""
    print(title)
    failed = []
    for fn in CHECKS:
        try:
            fn()
            print(f'ok    {fn.__name__}')
        except Exception as error:  # noqa: BLE001 - every failure is reported, then the next check runs
            failed.append(fn.__name__)
            print(f'FAIL  {fn.__name__}: {type(error).__name__}: {error}')
            # Only the script's frames: where the check failed, not botocore's internals.
            for frame in traceback.extract_tb(error.__traceback__):
                if frame.filename == script:
                    print(f'      line {frame.lineno}: {frame.line}')
    print(f'{len(CHECKS) - len(failed)}/{len(CHECKS)} checks passed')
    if failed:
        print('failed: ' + ', '.join(failed))
        return 1
    return 0


def eq(actual, expected, what):
    assert actual == expected, f'{what}: expected {expected!r}, got {actual!r}'


def aware(value, what):
    assert isinstance(value, datetime.datetime) and value.tzinfo is not None, f'{what}: not a timestamp: {value!r}'
