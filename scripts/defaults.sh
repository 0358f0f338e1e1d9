#!/usr/bin/env bash
# Trains every benchmark target with its default settings and evaluates each run over 5
# seeds (the benchmarks.md protocol). Run folders go to runs/defaults/. Usage:
#   bash scripts/defaults.sh [experiment ...]
set -euo pipefail
cd "$(dirname "$0")/.."
bin=bin/naas-defaults-$$
go build -o "$bin" .
exps=("$@")
[ ${#exps[@]} -gt 0 ] || exps=(mos50 gmm40 funnel10 manywell5)
mkdir -p runs/defaults
for e in "${exps[@]}"; do
  dir=runs/defaults/$e
  if [ ! -f "$dir/metrics.json" ]; then
    rm -rf "$dir"
    /usr/bin/time -f "$e default run: %e s wall" "$bin" --exp "$e" --out runs/defaults --name "$e"
  fi
  [ -f "$dir/eval.md" ] || "$bin" eval --run "$dir" --seeds 5
done
