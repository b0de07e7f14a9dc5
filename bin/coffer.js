#!/bin/sh
":" //; exec node -- "$0" "$@"
// Started by sh, which runs node with `--` before this file: node reads no option after it (node 20
// and later take an `--env-file` anywhere before `--` as their own, and `coffer run` has one).
import '../dist/src/cli/main.js';
