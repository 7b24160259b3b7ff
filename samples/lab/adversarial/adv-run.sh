#!/usr/bin/env bash
# adv-run.sh - the adversarial scenarios (scenarios-adv.sh): captures made by a reviewer to
# break capdiag's verdicts, on the same lab as make-samples-v2.sh, which runs them.
#   sudo samples/lab/adversarial/adv-run.sh [scenario...]     (LAB_OUT=DIR as for v2)
# Their expected verdicts were written in EXPECTED.md before capdiag ran on them; the pinned
# ones are samples/<name>.pcap.expect.toml.
set -euo pipefail
HERE=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
export LAB_SCENARIO_FILE="$HERE/scenarios-adv.sh" LAB_ALL_VAR=ALLADV
export LAB_EXTRA_LIB="$HERE/adv-mid.py $HERE/adv-rebind.py $HERE/adv_common.py"
exec "$HERE/../make-samples-v2.sh" "$@"
