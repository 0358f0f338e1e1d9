#!/usr/bin/env bash
# Model selection without ground truth (docs/selection.md): trains each run below with a
# validation check every 3 epochs (45 epochs → 15 checks for the late-control defaults, 69 →
# 23 for the full method), then tabulates how well ELBO- and ESS-selection agree with the
# ground truth of the same validation draws. Run folders go to runs/selection/, training logs
# to runs/selection/logs/. Finished runs are skipped, interrupted ones resumed. Where best/ is
# not the final networks, both are then re-evaluated on fresh draws (eval, 3 seeds). Usage:
#   nice -n 10 bash scripts/selection.sh            # all runs, then the analysis
#   nice -n 10 bash scripts/selection.sh NAME ...   # only these runs (names below), then the analysis
# The manywell5 default *is* the full method (both stages from t = 0), so there is no separate
# manywell5 full run; mos50-full-now (the full method on today's mos50 process) and
# manywell5-late (late control) are extra. runs/selection/mos50-full, the full method on the
# earlier mos50 process that the README quotes (validation lines of the old format, before
# --select-by), is tabulated too when present. funnel10-default-ess repeats funnel10-default with
# --select-by ess (the validation draws do not touch the training's random streams, so its
# checks are the same; only best/ differs); funnel10-default-ess-n2000 is the same training
# with a validation draw of 2000 instead of 500; the -seed2/-seed3 runs repeat defaults and
# the full funnel10 with other training seeds.
set -euo pipefail
cd "$(dirname "$0")/.."
bin=${NAAS_BIN:-/tmp/naas-sel}
go build -o "$bin" .
every=3
out=runs/selection
full=(--control-from 0 --ram-epochs 8)
# funnel10 rows pin --buffer-u 100000, its default when they ran (now 25000); every training
# below passes --basin-paths 0: these runs predate the basin prior (now on by
# default for mos50 and gmm40), and the validation checks score the sampler during training
declare -A args=(
  [funnel10-default]="--exp funnel10 --buffer-u 100000"
  [mos50-default]="--exp mos50"
  [gmm40-default]="--exp gmm40"
  [funnel10-default-seed2]="--exp funnel10 --seed 2 --buffer-u 100000"
  [funnel10-default-seed3]="--exp funnel10 --seed 3 --buffer-u 100000"
  [funnel10-full]="--exp funnel10 ${full[*]} --buffer-u 100000"
  [manywell5-default]="--exp manywell5"
  [mos50-full-now]="--exp mos50 ${full[*]}"
  [manywell5-late]="--exp manywell5 --control-from 0.5 --ram-epochs 0"
  [funnel10-default-ess]="--exp funnel10 --select-by ess --buffer-u 100000"
  [funnel10-default-ess-n2000]="--exp funnel10 --select-by ess --validate-n 2000 --buffer-u 100000"
  [mos50-default-seed2]="--exp mos50 --seed 2"
  [mos50-default-seed3]="--exp mos50 --seed 3"
  [manywell5-default-seed2]="--exp manywell5 --seed 2"
  [manywell5-default-seed3]="--exp manywell5 --seed 3"
  [funnel10-full-seed2]="--exp funnel10 --seed 2 ${full[*]} --buffer-u 100000"
  [funnel10-full-seed3]="--exp funnel10 --seed 3 ${full[*]} --buffer-u 100000"
)
order=(funnel10-default mos50-default gmm40-default funnel10-default-seed2 funnel10-default-seed3 funnel10-full
  manywell5-default mos50-full-now manywell5-late funnel10-default-ess mos50-default-seed2 mos50-default-seed3
  manywell5-default-seed2 manywell5-default-seed3 funnel10-full-seed2 funnel10-full-seed3 funnel10-default-ess-n2000)
names=("$@")
[ ${#names[@]} -gt 0 ] || names=("${order[@]}")
mkdir -p "$out/logs"
for n in "${names[@]}"; do
  [ -n "${args[$n]+x}" ] || { echo "unknown run $n; known: ${order[*]}" >&2; exit 1; }
  dir=$out/$n
  if [ -f "$dir/metrics.json" ]; then
    echo "$n: done"
  elif [ -d "$dir" ]; then
    echo "$n: resuming"
    /usr/bin/time -a -o "$out/logs/times.txt" -f "$n (resumed): %e s wall" "$bin" --resume "$dir" --validate-every $every 2>>"$out/logs/$n.txt" >/dev/null
  else
    echo "$n: training"
    # shellcheck disable=SC2086
    /usr/bin/time -a -o "$out/logs/times.txt" -f "$n: %e s wall" "$bin" ${args[$n]} --basin-paths 0 --validate-every $every --out "$out" --name "$n" \
      2>"$out/logs/$n.txt" >/dev/null
  fi
done
# Fresh draws: where best/ is not the final networks, evaluate both over 3 evaluation seeds
# (2000 samples each, none from the validation draw) to see whether the selected checkpoint is
# better or worse than the last one out of sample. best/ is evaluated in a copy of the run
# folder (config.json and best/'s networks) under $out/best-eval/.
evaluated=()
for n in "${names[@]}"; do
  dir=$out/$n
  [ -f "$dir/validation.jsonl" ] && [ -d "$dir/best" ] || continue
  last=$(grep -o '"epoch":[0-9]*' "$dir/validation.jsonl" | tail -1 | cut -d: -f2)
  best=$(grep '"new_best":true' "$dir/validation.jsonl" | grep -o '"epoch":[0-9]*' | tail -1 | cut -d: -f2)
  [ -n "$best" ] && [ "$best" != "$last" ] || continue
  b=$out/best-eval/$n-best-epoch$best
  mkdir -p "$b"
  cp "$dir/config.json" "$dir/best/u.ckpt" "$dir/best/v.ckpt" "$b/"
  for d in "$dir" "$b"; do
    [ -f "$d/eval3.json" ] || "$bin" eval --run "$d" --seeds 3 --no-w2 --name eval3 --quiet >/dev/null
  done
  evaluated+=("$dir" "$b")
done
if [ ${#evaluated[@]} -gt 0 ]; then
  "$bin" report --file eval3.json "${evaluated[@]}" > "$out/best-eval.md"
  # paired by evaluation seed (same exact sets and noise): means and in how many seeds best/ wins
  {
    echo "| run | best/ (criterion, epoch) | metric | last: mean of 3 eval seeds | best/: mean | best/ better in (of 3 seeds) |"
    echo "|---|---|---|---|---|---|"
    for ((i = 0; i < ${#evaluated[@]}; i += 2)); do
      r=${evaluated[i]} b=${evaluated[i + 1]}
      crit=$(jq -r '.select_by // "elbo"' "$r/config.json")
      for m in sinkhorn_divergence mmd mode_tv ks_x0; do
        jq -n -r --slurpfile a "$r/eval3.json" --slurpfile b "$b/eval3.json" --arg m $m --arg r "$(basename "$r")" \
          --arg c "$crit, ${b##*-best-epoch}" '
          [$a[0].reports[].naas[$m]] as $x | [$b[0].reports[].naas[$m]] as $y |
          if $x[0] == null then empty else
          "| \($r) | \($c) | \($m) | \(($x|add/length)*10000|round/10000) | \(($y|add/length)*10000|round/10000) | \([range(0; $x|length) | select($y[.] < $x[.])] | length) |" end'
      done
    done
  } | tee "$out/best-eval-paired.md"
fi
# the table: grouped by configuration (funnel10-default-ess is left out: its checks are
# funnel10-default's)
table=(funnel10-default funnel10-default-seed2 funnel10-default-seed3 funnel10-default-ess-n2000 funnel10-full funnel10-full-seed2 funnel10-full-seed3
  mos50-default mos50-default-seed2 mos50-default-seed3 mos50-full-now mos50-full gmm40-default
  manywell5-default manywell5-default-seed2 manywell5-default-seed3 manywell5-late)
runs=()
for n in "${table[@]}"; do
  [ -f "$out/$n/validation.jsonl" ] && runs+=("$out/$n")
done
"$bin" selection --json "$out/selection.json" "${runs[@]}" | tee "$out/selection.md"
