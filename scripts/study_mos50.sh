#!/usr/bin/env bash
# Screening ablation for issue 4 on mos50: a short schedule (2 rounds × (10 AM + 5 RAM) epochs)
# per row, one evaluation seed, 2000 vs 2000 samples, no exact W2. Every row is one command
# line; run folders go to runs/study-mos50/ROW. Usage: bash scripts/study_mos50.sh [row ...]
set -euo pipefail
cd "$(dirname "$0")/.."
go build -o bin/naas-study .
short=(--exp mos50 --rounds 2 --am-epochs 10 --ram-epochs 5 --no-w2 --quiet --out runs/study-mos50 --basin-paths 0)
declare -A rows=(
  [A-default]=""
  [B-sigma2-weighting]="--weighting sigma2"
  [C-am-only]="--ram-epochs 0"
  [D-sigma-const3]="--sigma constant --sigma-max 3"
  [E-sigma-const3-am-only]="--sigma constant --sigma-max 3 --ram-epochs 0"
  [F-lr1e-4]="--lr-u 1e-4 --lr-v 1e-4"
  [G-paths1024]="--paths 1024"
  [H-adjclip5]="--adjoint-clip 5"
  [I-late-control]="--control-from 0.5 --ram-epochs 0"
  [J-late-control-sigma2]="--control-from 0.5 --ram-epochs 0 --weighting sigma2"
  [K-ram-gate0.1]="--ram-gate 0.1"
  [L-wide-prior]="--prior-std 10 --sigma-max 30 --sigma-min 15"
  [M-wide-prior-am-only]="--prior-std 10 --sigma-max 30 --sigma-min 15 --ram-epochs 0"
  [N-wide-prior-late-control]="--prior-std 10 --sigma-max 30 --sigma-min 15 --ram-epochs 0 --control-from 0.5"
)
sel=("$@")
[ ${#sel[@]} -gt 0 ] || sel=($(printf '%s\n' "${!rows[@]}" | sort))
for r in "${sel[@]}"; do
  [ -f "runs/study-mos50/$r/metrics.json" ] && continue
  rm -rf "runs/study-mos50/$r"
  echo "== $r: ${rows[$r]}"
  # shellcheck disable=SC2086
  bin/naas-study "${short[@]}" --name "$r" ${rows[$r]} | grep -E "^\| (NAAS|annealed|floor)"
done
