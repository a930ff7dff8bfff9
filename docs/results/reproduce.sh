#!/usr/bin/env bash
# Reproduces one section of docs/results/README.md: runs its sweep(s) with ./nin, then exports what the
# page quotes (docs/results/export.sh: CSVs, provenance.txt and the charts) with the exact arguments
# the page was exported with. Run it from a clean checkout of a commit (export.sh refuses trials run
# from a modified tree); a sweep already in the store resumes, one already done only exports.
#   docs/results/reproduce.sh SECTION
#   docs/results/reproduce.sh --list
# The wall time written into provenance.txt is this script's own, sweep by sweep.
set -euo pipefail
cd "$(dirname "$0")/../.."

# SECTION | sweeps run in order (the last is the section's) | baseline configuration (the sweep's first
# trial's where the page compares nothing) | versus sweep
sections() {
  cat <<'TABLE'
exercise-1-search|exercise-1-search|nin-bn lr=0.0687 epochs=9 batch=128 resize=67 momentum=0.9 init=he smoothing=0.1 crop=2|
exercise-1-book|exercise-1-book|standard lr=0.1 epochs=10 batch=128 resize=67|
exercise-1-retrain|exercise-1-book exercise-1-retrain|nin-bn lr=0.047 epochs=10 batch=128 resize=67 momentum=0.9 wd=5.0E-4 schedule=cosine smoothing=0.1|exercise-1-book
exercise-2|exercise-2|nin-bn lr=0.045 epochs=3 batch=128 resize=67 momentum=0.9 init=he smoothing=0.1|
exercise-3|exercise-3|standard lr=0.05 epochs=1 batch=128 resize=224|
book-plateau|book-plateau|standard lr=0.1 epochs=3 batch=128 resize=67|
exercise-4|exercise-4|nin-bn lr=0.045 epochs=3 batch=128 resize=67 momentum=0.9 init=he smoothing=0.1|
exercise-4-195|exercise-4-195|nin-bn lr=0.045 epochs=3 batch=128 resize=195 momentum=0.9 init=he smoothing=0.1|
book-224|book-224|standard lr=0.1 epochs=10 batch=128 resize=224|
exercise-2-96|exercise-2-96|standard lr=0.02 epochs=4 batch=128 resize=96 momentum=0.9 init=he smoothing=0.1|
exercise-2-96-bn|exercise-2-96-bn|nin-bn lr=0.02 epochs=4 batch=128 resize=96 momentum=0.9 init=he smoothing=0.1|
exercise-1-retrain-96|exercise-1-book-96 exercise-1-retrain-96|nin-bn lr=0.047 epochs=10 batch=128 resize=96 momentum=0.9 wd=5.0E-4 schedule=cosine smoothing=0.1|exercise-1-book-96
exercise-1-book-96|exercise-1-book-96|standard lr=0.1 epochs=10 batch=128 resize=96|
TABLE
}

if [[ "${1:-}" == "--list" ]]; then
  sections | cut -d'|' -f1
  exit 0
fi
[[ $# -eq 1 ]] || { echo "usage: docs/results/reproduce.sh SECTION (docs/results/reproduce.sh --list names them)" >&2; exit 2; }
row="$(sections | awk -F'|' -v s="$1" '$1 == s')"
[[ -n "$row" ]] || { echo "reproduce.sh: no section '$1'; docs/results/reproduce.sh --list names them" >&2; exit 2; }
IFS='|' read -r section sweeps baseline versus <<<"$row"
[[ -z "$(git status --porcelain -- src migrations pom.xml sweeps)" ]] \
  || { echo "reproduce.sh: the checkout has uncommitted changes to src, migrations, pom.xml or sweeps; run from a clean one" >&2; exit 3; }

for sweep in $sweeps; do
  start=$(date +%s)
  ./nin sweep "sweeps/$sweep.yaml"
  seconds=$(( $(date +%s) - start ))
  wall="$((seconds / 60)) min $(printf '%02d' $((seconds % 60))) s (this script's wall clock, launcher included)"
  if [[ "$sweep" == "$section" ]]; then
    docs/results/export.sh "$section" "$baseline" "$wall" $versus
  elif [[ -d "docs/results/$sweep" ]]; then
    # A sweep the section compares with is a section of its own: exported with its own row.
    row_b="$(sections | awk -F'|' -v s="$sweep" '$1 == s')"
    IFS='|' read -r _ _ baseline_b versus_b <<<"$row_b"
    docs/results/export.sh "$sweep" "$baseline_b" "$wall" $versus_b
  fi
done
echo "reproduced $section: docs/results/$section (then: mvn test -Dtest=ResultsPagesTest)"
