#!/usr/bin/env bash
# Exports what a results section quotes, from the store a sweep ran in, beside the page:
# docs/results/SWEEP/{trials,statistics,differences,resources,epochs}.csv (./nin sql --format csv), search.csv
# for a TPE search, provenance.txt (sweep file and its SHA-256, git commit, CPU, precision, wall time) and
# the report's charts (./nin report). Trials run from a modified tree (a -dirty commit) are refused.
#   docs/results/export.sh SWEEP BASELINE WALL_TIME [VERSUS_SWEEP]
# BASELINE: the configuration differences are taken against ('-' for none: a sweep of one configuration,
# or one whose trials have not ended yet, exported as it stands); WALL_TIME: as the sweep's run printed it;
# VERSUS_SWEEP: another sweep whose configurations SWEEP's are compared with (versus.csv, from
# seed_comparison_across), exported beside it first.
# ResultsPagesTest recomputes every number of docs/results/README.md from these files.
# The files are written into a staging folder and moved beside the page only when every query
# succeeded: a failed export leaves the previous one as it was.
# Environment: NIN_RESULTS_DIR (default docs/results) and NIN_SWEEP_FILE (default sweeps/SWEEP.yaml),
# for exports outside the repository's pages (ReportIT runs this script on a small sweep); relative
# paths are taken from the repository's root.
set -euo pipefail
cd "$(dirname "$0")/../.."
[[ $# -ge 3 && $# -le 4 ]] || { echo "usage: docs/results/export.sh SWEEP BASELINE WALL_TIME [VERSUS_SWEEP]" >&2; exit 2; }
sweep="$1"; baseline="$2"; wall="$3"; versus="${4:-}"
# Both are spliced into SQL below (run as the read-only reader, but still): a sweep name is what a
# sweep file may name (SweepParser), and a configuration may not hold a quote.
[[ "$sweep" =~ ^[a-z0-9][a-z0-9._-]{0,62}$ ]] || { echo "export.sh: SWEEP: expected a sweep name, found '$sweep'" >&2; exit 2; }
[[ -z "$versus" || "$versus" =~ ^[a-z0-9][a-z0-9._-]{0,62}$ ]] || { echo "export.sh: VERSUS_SWEEP: expected a sweep name, found '$versus'" >&2; exit 2; }
[[ "$baseline" != *"'"* ]] || { echo "export.sh: BASELINE: a configuration holds no quote, found: $baseline" >&2; exit 2; }
results="${NIN_RESULTS_DIR:-docs/results}"
file="${NIN_SWEEP_FILE:-sweeps/$sweep.yaml}"
[[ -f "$file" ]] || { echo "export.sh: $file: no such sweep file; set NIN_SWEEP_FILE to the file the sweep ran from" >&2; exit 2; }
mkdir -p "$results"
stage="$(mktemp -d "$results/.export-$sweep.XXXXXX")"
trap 'rm -rf "$stage"' EXIT
out="$stage"
q() { ./nin sql --format csv "$1"; }
q "SELECT trial_id, configuration, variant, seed, state, epochs_completed, train_loss, validation_accuracy, test_accuracy, stuck,
          left_plateau_at_step FROM seed_results WHERE sweep = '$sweep' ORDER BY trial_id" >"$out/trials.csv"
q "SELECT configuration, variant, trials, stuck, n, validation_accuracy_mean, validation_accuracy_std, test_accuracy_mean,
          test_accuracy_std FROM seed_statistics WHERE sweep = '$sweep' ORDER BY configuration" >"$out/statistics.csv"
q "SELECT metric, configuration, baseline, n, baseline_n, mean, baseline_mean, difference, standard_error, welch_df, low, high,
          within_noise FROM seed_differences WHERE sweep = '$sweep' AND baseline = '$baseline' ORDER BY metric, configuration" \
  >"$out/differences.csv"
q "SELECT variant, resize, batch_size, max(parameters) AS parameters, max(forward_flops) AS forward_flops,
          max(training_step_flops) AS training_step_flops,
          max(training_memory_bytes_estimated) AS training_memory_bytes_estimated,
          max(training_memory_bytes_measured) AS training_memory_bytes_measured,
          max(prediction_memory_bytes_estimated) AS prediction_memory_bytes_estimated,
          max(prediction_memory_bytes_measured) AS prediction_memory_bytes_measured,
          max(training_memory_bytes_measured_batch1) AS training_memory_bytes_measured_batch1,
          max(prediction_memory_bytes_measured_batch1) AS prediction_memory_bytes_measured_batch1
   FROM resource_usage WHERE sweep = '$sweep' GROUP BY variant, resize, batch_size ORDER BY variant" >"$out/resources.csv"
# Every epoch of every trial, running ones too: the curves (training loss beside accuracy: fit, not only score).
q "SELECT e.trial_id, r.configuration, r.seed, e.epoch, e.train_loss, e.train_accuracy, e.validation_accuracy,
          e.test_accuracy, e.images_per_second
   FROM epoch_metrics e JOIN trial_results r ON r.trial_id = e.trial_id WHERE r.sweep = '$sweep'
   ORDER BY e.trial_id, e.epoch" >"$out/epochs.csv"
if [[ -n "$versus" ]]; then
  q "SELECT metric, configuration, baseline_sweep, baseline, n, baseline_n, mean, baseline_mean, difference, standard_error,
            welch_df, low, high, within_noise FROM seed_comparison_across('$sweep', '$versus', false) ORDER BY metric, configuration,
            baseline" >"$out/versus.csv"
fi
# Every value is computed into a variable first: a command substitution inside echo's or [['s
# arguments would fail without stopping the script (set -e does not see it).
asked="$(q "SELECT count(*) FROM trials t JOIN sweeps s ON s.id = t.sweep_id WHERE s.name = '$sweep'
           AND t.sampler_phase IS NOT NULL" | tail -1)"
# A TPE search: every trial it asked for, pruned ones too, in the order they were asked.
if [[ "$asked" != 0 ]]; then
  q "SELECT r.trial_id, t.sampler_phase, r.configuration, t.learning_rate, r.state, r.epochs_completed, r.train_loss,
            r.validation_accuracy
     FROM trial_results r JOIN trials t ON t.id = r.trial_id WHERE r.sweep = '$sweep' ORDER BY r.trial_id" >"$out/search.csv"
fi
file_sha="$(sha256sum "$file" | cut -d' ' -f1)"
trial_commits="$(q "SELECT string_agg(DISTINCT git_commit, ' ') FROM trials t JOIN sweeps s ON s.id = t.sweep_id
                    WHERE s.name = '$sweep'" | tail -1)"
# A result must name the code that made it: a trial run from a modified tree cannot be reproduced.
if [[ "$trial_commits" == *dirty* ]]; then
  echo "export.sh: $sweep: trials ran on a modified tree (git commit $trial_commits); run the sweep again from a" \
    "committed revision (a git worktree of it) and export that" >&2
  exit 3
fi
# The charts the page shows, drawn by the report from the same store (named by configuration and seed).
report_baseline=(--baseline "$baseline")
[[ "$baseline" != "-" ]] || report_baseline=()
./nin report "$sweep" "${report_baseline[@]}" --no-mlflow --out "$stage/report" >/dev/null
for chart in "$stage"/report/*.png; do mv "$chart" "$out/"; done
rm -rf "$stage/report"
head_commit="$(git rev-parse HEAD)"
cpu_model="$(lscpu | sed -n 's/^Model name: *//p' | head -1)"
cpu_family="$(lscpu | sed -n 's/^CPU family: *//p' | head -1)"
cpu_number="$(lscpu | sed -n 's/^Model: *//p' | head -1)"
cores="$(nproc)"
bf16=""
if grep -q avx512_bf16 /proc/cpuinfo; then bf16=", avx512_bf16"; fi
precision="$(q "SELECT string_agg(DISTINCT coalesce(compute_precision, 'fp32'), ' ') FROM trials t
                JOIN sweeps s ON s.id = t.sweep_id WHERE s.name = '$sweep'" | tail -1)"
{
  echo "sweep file: $file"
  echo "sweep file sha256: $file_sha"
  echo "git commit (the trials' own provenance): $trial_commits"
  echo "exported at commit: $head_commit"
  echo "cpu: $cpu_model, family $cpu_family model $cpu_number, $cores cores$bf16"
  echo "precision: $precision"
  echo "wall time: $wall"
  echo "command: ./nin sweep $file"
} >"$out/provenance.txt"
# Every query succeeded: replace the files an earlier export wrote (search.csv and versus.csv only
# when they apply this time), its charts too.
final="$results/$sweep"
mkdir -p "$final"
rm -f "$final"/{trials,statistics,differences,resources,search,versus,epochs}.csv "$final/provenance.txt" "$final"/*.png
mv "$stage"/* "$final"/
echo "exported $sweep to $final"
