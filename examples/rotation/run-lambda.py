"""Runs a Python Lambda handler as a Coffer command rotation function.

    python3 run-lambda.py /path/to/lambda_function.py [handler_name]

Coffer writes the rotation event (the JSON AWS sends a rotation Lambda) to stdin and
counts exit status 0 as the step done. An exception in the handler exits with status 1
and its traceback on stderr, which Coffer keeps with the failed step. The handler gets
no context object (None): rotation functions do not use it.
"""

import importlib.util
import json
import logging
import os
import sys


def main(argv):
    if len(argv) not in (2, 3):
        sys.exit("usage: run-lambda.py MODULE_PATH [HANDLER_NAME]")
    path = os.path.abspath(argv[1])
    # Lambda sends the root logger to the function's log; here that is stderr.
    logging.basicConfig(stream=sys.stderr, format="%(levelname)s %(name)s %(message)s")
    # The handler's directory comes first on the path, as the package root does in Lambda.
    sys.path.insert(0, os.path.dirname(path))
    name = os.path.splitext(os.path.basename(path))[0]
    spec = importlib.util.spec_from_file_location(name, path)
    module = importlib.util.module_from_spec(spec)
    sys.modules[name] = module
    spec.loader.exec_module(module)
    handler = getattr(module, argv[2] if len(argv) == 3 else "lambda_handler")
    handler(json.load(sys.stdin), None)


if __name__ == "__main__":
    main(sys.argv)
