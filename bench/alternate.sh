#!/usr/bin/env bash
# Alternating cold runs of one harness workload on two contenders, for A/B comparisons on a
# noisy machine: each run is a fresh process on a fresh directory (as the harness runs it),
# A and B take turns, and the medians and their ratio are printed.
#
# usage: bench/alternate.sh HARNESS RUNS WORKLOAD A B
#   HARNESS   a writable copy of ../shared/bench with its npm install done
#   A, B      a built entry (path ending in .js: run as the project through $PROJECT_DIST)
#             or a harness system name (lmdb, sqlite, level, map)
# example: bench/alternate.sh /tmp/kv-bench 9 W1 "$PWD/dist/index.js" lmdb
set -euo pipefail
[ $# -eq 5 ] || { sed -n '5,10p' "$0"; exit 2; }
harness=$1 runs=$2 workload=$3
contenders=("$4" "$5")
rates=("" "")

run_one() {
  local who=$1 system=$1 dist=""
  if [[ $who == *.js ]]; then system=project; dist=$(realpath "$who"); fi
  # No dot in the directory name: lmdb-js takes a path with an extension for a file.
  local dir
  dir=$(mktemp -d "${TMPDIR:-/tmp}/kvbalternateXXXXXX")
  PROJECT_DIST=$dist node "$harness/worker.mjs" --system "$system" --workload "$workload" \
    --dir "$dir" | grep -o '"rate":[0-9.]*' | head -1 | cut -d: -f2
  rm -rf "$dir"
}

for ((i = 0; i < runs; i++)); do
  for side in 0 1; do
    rate=$(run_one "${contenders[$side]}")
    [ -n "$rate" ] || { echo "run failed: ${contenders[$side]}" >&2; exit 1; }
    rates[$side]="${rates[$side]} $rate"
  done
done

node -e '
const [a, b, nameA, nameB] = process.argv.slice(1);
const sorted = (s) => s.trim().split(/\s+/).map(Number).sort((x, y) => x - y);
const median = (v) => v[v.length >> 1];
const k = (x) => (x / 1000).toFixed(1) + "k";
const A = sorted(a), B = sorted(b);
console.log(`A ${nameA}: ${A.map(k).join(" ")}  median ${k(median(A))}`);
console.log(`B ${nameB}: ${B.map(k).join(" ")}  median ${k(median(B))}`);
console.log(`B/A ${(median(B) / median(A)).toFixed(3)}`);
' "${rates[0]}" "${rates[1]}" "${contenders[0]}" "${contenders[1]}"
