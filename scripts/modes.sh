#!/usr/bin/env bash
# Population mode weights (issue 4): `naas modes` on every trained run of the mixture and
# many-well targets in runs/study-all (scripts/study_all.sh), runs/defaults
# (scripts/defaults.sh) and runs/study-modes, at n = 40000 per set. Each run folder gets
# modes-pop.{json,md,csv,png} (a run that has one is tabulated, not measured again); the
# combined table goes to runs/modes.md.
# Usage: bash scripts/modes.sh [RUN...]   (default: all such runs that exist)
set -euo pipefail
cd "$(dirname "$0")/.."
BIN=${BIN:-bin/naas}
N=${N:-40000}
[ -x "$BIN" ] || go build -o "$BIN" .
runs=("$@")
if [ ${#runs[@]} -eq 0 ]; then
	for d in runs/study-all/{mos50,gmm40,manywell5}* runs/defaults/{mos50,gmm40,manywell5} runs/study-modes/*; do
		[ -f "$d/u.ckpt" ] && runs+=("$d")
	done
fi
nice -n 10 "$BIN" modes --reuse --n "$N" --quiet "${runs[@]}" | tee runs/modes.md
