#!/usr/bin/env bash
# Issue-4 study on all four benchmark targets: one full-length training per row (the
# experiment's default schedule, changed only by the row's flags), then `eval --seeds 5`
# (5 evaluation seeds, 2000 vs 2000 samples, no exact W2). Every row is one command line;
# run folders go to runs/study-all/ROW, where ROW is TARGET-CHANGE[-sSEED].
# Usage: bash scripts/study_all.sh [row ...]     (no argument: every row, in order)
# Rows whose eval.md exists are skipped. The rows that are an experiment's default
# before this study (mos50-t0.5, gmm40-t0.5, funnel10-full, manywell5-full) are the same
# settings as scripts/defaults.sh ran; the measured table reuses those runs (runs/defaults/EXP,
# copied). BIN overrides the binary (default: build bin/naas-h4; section 4–5 rows ran with
# BIN=bin/naas-h5, the same tree). funnel10 rows pin --sigma-max 5, its default when they ran
# (the default is now 8), and --buffer-u 100000, its default when they ran (now 25000).
set -euo pipefail
cd "$(dirname "$0")/.."
if [ -z "${BIN:-}" ]; then
  go build -o bin/naas-h4 .
  BIN=bin/naas-h4
fi
out=runs/study-all
# --basin-paths 0: these rows predate the basin prior (now on by default for mos50 and gmm40)
common=(--no-w2 --quiet --out "$out" --basin-paths 0)
rows=(
  # 1. control start t₀ on the mixtures (defaults: t₀ = 0.5, no RAM)
  "mos50-t0.2|--exp mos50 --control-from 0.2"
  "mos50-t0.3|--exp mos50 --control-from 0.3"
  "mos50-t0.4|--exp mos50 --control-from 0.4"
  "mos50-t0.5|--exp mos50"
  "mos50-t0.7|--exp mos50 --control-from 0.7"
  "gmm40-t0.2|--exp gmm40 --control-from 0.2"
  "gmm40-t0.3|--exp gmm40 --control-from 0.3"
  "gmm40-t0.5|--exp gmm40"
  "gmm40-t0.7|--exp gmm40 --control-from 0.7"
  "gmm40-t0-am|--exp gmm40 --control-from 0"
  # 1b. funnel10 / manywell5: full method (their default before this study) vs late control
  "funnel10-full|--exp funnel10 --control-from 0 --ram-epochs 8 --sigma-max 5 --buffer-u 100000"
  "funnel10-t0.5|--exp funnel10 --control-from 0.5 --ram-epochs 0 --sigma-max 5 --buffer-u 100000"
  "funnel10-t0.3|--exp funnel10 --control-from 0.3 --ram-epochs 0 --sigma-max 5 --buffer-u 100000"
  "funnel10-t0.2|--exp funnel10 --control-from 0.2 --ram-epochs 0 --sigma-max 5 --buffer-u 100000"
  "funnel10-t0.1|--exp funnel10 --control-from 0.1 --ram-epochs 0 --sigma-max 5 --buffer-u 100000"
  "funnel10-t0-am|--exp funnel10 --control-from 0 --ram-epochs 0 --sigma-max 5 --buffer-u 100000"
  "funnel10-t0.3-s2|--exp funnel10 --control-from 0.3 --ram-epochs 0 --seed 2 --sigma-max 5 --buffer-u 100000"
  "funnel10-t0.3-s3|--exp funnel10 --control-from 0.3 --ram-epochs 0 --seed 3 --sigma-max 5 --buffer-u 100000"
  "funnel10-t0.4|--exp funnel10 --control-from 0.4 --ram-epochs 0 --sigma-max 5 --buffer-u 100000"
  "manywell5-full|--exp manywell5"
  "manywell5-t0.5|--exp manywell5 --control-from 0.5 --ram-epochs 0"
  "manywell5-t0.3|--exp manywell5 --control-from 0.3 --ram-epochs 0"
  # 2. importance-weighted AM targets, weights ∝ exp(α log w) (--is-temper α)
  "mos50-t0.5-is0.1|--exp mos50 --is-temper 0.1"
  "mos50-t0.5-is1|--exp mos50 --is-temper 1"
  "mos50-t0.3-is0.1|--exp mos50 --control-from 0.3 --is-temper 0.1"
  "manywell5-t0.5-is0.3|--exp manywell5 --control-from 0.5 --ram-epochs 0 --is-temper 0.3"
  "manywell5-full-is0.3|--exp manywell5 --is-temper 0.3"
  # 3. moving-average copy of u as RAM's target (--ram-target-ema decay), full method
  "manywell5-full-ema0.99|--exp manywell5 --ram-target-ema 0.99"
  "funnel10-full-ema0.99|--exp funnel10 --control-from 0 --ram-epochs 8 --ram-target-ema 0.99 --sigma-max 5 --buffer-u 100000"
  "mos50-full|--exp mos50 --control-from 0 --ram-epochs 8"
  "mos50-full-ema0.99|--exp mos50 --control-from 0 --ram-epochs 8 --ram-target-ema 0.99"
  # second training seed
  "funnel10-t0.5-s2|--exp funnel10 --control-from 0.5 --ram-epochs 0 --seed 2 --sigma-max 5 --buffer-u 100000"
  "funnel10-t0.5-s3|--exp funnel10 --control-from 0.5 --ram-epochs 0 --seed 3 --sigma-max 5 --buffer-u 100000"
  "funnel10-full-s2|--exp funnel10 --control-from 0 --ram-epochs 8 --seed 2 --sigma-max 5 --buffer-u 100000"
  "manywell5-t0.5-s2|--exp manywell5 --control-from 0.5 --ram-epochs 0 --seed 2"
  "manywell5-full-s2|--exp manywell5 --seed 2"
  # 4. the other hyper-parameters of issue 4 around funnel10's default (t₀ = 0.3, no RAM;
  #    σ geometric 5 → 1, K = 100, β quadratic, uniform weighting, 3 rounds, 512 paths, width 128)
  "funnel10-t0.3-wsigma2|--exp funnel10 --control-from 0.3 --ram-epochs 0 --weighting sigma2 --sigma-max 5 --buffer-u 100000"
  "funnel10-t0.3-K200|--exp funnel10 --control-from 0.3 --ram-epochs 0 --steps 200 --sigma-max 5 --buffer-u 100000"
  "funnel10-t0.3-r6|--exp funnel10 --control-from 0.3 --ram-epochs 0 --rounds 6 --sigma-max 5 --buffer-u 100000"
  "funnel10-t0.3-p1024|--exp funnel10 --control-from 0.3 --ram-epochs 0 --paths 1024 --sigma-max 5 --buffer-u 100000"
  "funnel10-t0.3-w256|--exp funnel10 --control-from 0.3 --ram-epochs 0 --width 256 --sigma-max 5 --buffer-u 100000"
  "funnel10-t0.3-is0.3|--exp funnel10 --control-from 0.3 --ram-epochs 0 --is-temper 0.3 --sigma-max 5 --buffer-u 100000"
  "funnel10-t0.3-smax3|--exp funnel10 --control-from 0.3 --ram-epochs 0 --sigma-max 3 --sigma-min 1 --buffer-u 100000"
  "funnel10-t0.3-smax8|--exp funnel10 --control-from 0.3 --ram-epochs 0 --sigma-max 8 --sigma-min 1 --buffer-u 100000"
  "funnel10-t0.3-betalin|--exp funnel10 --control-from 0.3 --ram-epochs 0 --beta linear --sigma-max 5 --buffer-u 100000"
  "funnel10-t0.3-r6-s2|--exp funnel10 --control-from 0.3 --ram-epochs 0 --rounds 6 --seed 2 --sigma-max 5 --buffer-u 100000"
  "funnel10-t0.3-smax8-s2|--exp funnel10 --control-from 0.3 --ram-epochs 0 --sigma-max 8 --sigma-min 1 --seed 2 --buffer-u 100000"
  "funnel10-t0.3-smax12|--exp funnel10 --control-from 0.3 --ram-epochs 0 --sigma-max 12 --sigma-min 1 --buffer-u 100000"
  "funnel10-t0.3-smax8-r6|--exp funnel10 --control-from 0.3 --ram-epochs 0 --sigma-max 8 --sigma-min 1 --rounds 6 --buffer-u 100000"
  "manywell5-t0.5-r6|--exp manywell5 --control-from 0.5 --ram-epochs 0 --rounds 6"
  "manywell5-t0.5-wsigma2|--exp manywell5 --control-from 0.5 --ram-epochs 0 --weighting sigma2"
  # 5. mos50: does the reference's mode-weight bias shrink with K? (the reference changes with K)
  "mos50-t0.5-K200|--exp mos50 --steps 200"
  "mos50-t0.5-K400|--exp mos50 --steps 400"
  # 6. warm-up AM epochs before the first RAM stage (full method) and the u buffer's size
  #    (funnel10's default, t₀ = 0.3, σ 8 → 1; its default buffer holds 100000 rows)
  "funnel10-full-smax8|--exp funnel10 --control-from 0 --ram-epochs 8 --buffer-u 100000"
  "funnel10-full-smax8-warm15|--exp funnel10 --control-from 0 --ram-epochs 8 --warmup-am 15 --buffer-u 100000"
  "mos50-full-warm15|--exp mos50 --control-from 0 --ram-epochs 8 --warmup-am 15"
  "funnel10-bufu25k|--exp funnel10 --buffer-u 25000"
  "funnel10-bufu400k|--exp funnel10 --buffer-u 400000"
  "funnel10-bufu25k-s2|--exp funnel10 --buffer-u 25000 --seed 2"
  "funnel10-bufu12k|--exp funnel10 --buffer-u 12500"
  "funnel10-bufu12k-s2|--exp funnel10 --buffer-u 12500 --seed 2"
)
declare -A args
order=()
for r in "${rows[@]}"; do
  args[${r%%|*}]=${r#*|}
  order+=("${r%%|*}")
done
sel=("$@")
[ ${#sel[@]} -gt 0 ] || sel=("${order[@]}")
mkdir -p "$out"
for r in "${sel[@]}"; do
  [ -n "${args[$r]:-}" ] || { echo "unknown row $r" >&2; exit 2; }
  dir=$out/$r
  [ -f "$dir/eval.md" ] && continue
  if [ ! -f "$dir/metrics.json" ]; then
    rm -rf "$dir"
    echo "== $r: ${args[$r]}"
    # shellcheck disable=SC2086
    /usr/bin/time -f "$r training+evaluation: %e s wall" -a -o "$out/walltime.txt" \
      nice -n 10 "$BIN" ${args[$r]} "${common[@]}" --name "$r" >/dev/null
  fi
  nice -n 10 "$BIN" eval --run "$dir" --seeds 5 --no-w2 --quiet | grep -E "^\| (NAAS|annealed|floor)"
done
