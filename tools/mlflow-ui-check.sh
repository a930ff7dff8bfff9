#!/usr/bin/env bash
# Opens an MLflow UI address nin printed in headless Chromium (Debian's `chromium`) and checks what a
# user sees there: the page named by the address (the experiment's Runs table, or a run's page), each
# expected name on it, and not MLflow 3's GenAI overview (what an experiment opens on without
# ?workflowType=machine_learning). Prints one line per check; exit 1 when one fails.
#   tools/mlflow-ui-check.sh ADDRESS NAME...
#   e.g. tools/mlflow-ui-check.sh 'http://127.0.0.1:5000/#/experiments/1?workflowType=machine_learning' quick
set -euo pipefail
[[ $# -ge 2 ]] || { echo "usage: tools/mlflow-ui-check.sh ADDRESS NAME..." >&2; exit 2; }
address="$1"; shift
command -v chromium >/dev/null || { echo "mlflow-ui-check: needs Debian's chromium (apt-get install chromium)" >&2; exit 2; }
dom="$(mktemp)"; trap 'rm -f "$dom"' EXIT
# The UI is a single-page app: virtual time lets its scripts fetch the runs before the DOM is dumped.
chromium --headless=new --no-sandbox --disable-gpu --window-size=1400,900 --virtual-time-budget=25000 \
  --dump-dom "$address" >"$dom" 2>/dev/null
failed=0
check() { if grep -q -- "$2" "$dom"; then echo "ok: $1"; else echo "missing: $1"; failed=1; fi; }
if [[ "$address" == */runs/* ]]; then
  check "a run's page (its Model metrics tab)" "Model metrics"
else
  check "the Runs table" ">Runs<"
  check "the Runs table's columns" "Run Name"
fi
for name in "$@"; do check "the name '$name'" ">$name<\|$name"; done
if [[ "$address" != */runs/* ]] && grep -q ">Overview<" "$dom" && ! grep -q "Run Name" "$dom"; then
  echo "wrong page: MLflow's GenAI overview"; failed=1
fi
exit "$failed"
