#!/usr/bin/env bash
# Basin prior study (issue 4, docs/study.md "Basin prior"): population mode weights at
# n = 40000 of the default mos50 and gmm40 runs (which start NAAS from their basin prior),
# the same start law on the uncontrolled reference (what it does without u), ablations of
# the fit (fit paths, cap of α, mass estimator), and a second training seed of each default
# (trained and evaluated over 5 seeds). Needs runs/defaults/{mos50,gmm40} from
# scripts/defaults.sh. Measured runs are tabulated, not measured again; tables go to
# runs/basin.md.
# Usage: bash scripts/basin.sh
set -euo pipefail
cd "$(dirname "$0")/.."
BIN=${BIN:-bin/naas}
N=${N:-40000}
go build -o "$BIN" .
m() { nice -n 10 "$BIN" modes --reuse --n "$N" --quiet "$@"; }
{
	echo "## defaults (NAAS from its own basin prior)"
	m runs/defaults/mos50 runs/defaults/gmm40
	echo "## the reference from a basin prior fitted under the reference"
	m --basin --basin-reference --name modes-basinref-p40000 runs/defaults/mos50 runs/defaults/gmm40
	echo "## the same with 10000 fit paths"
	m --basin --basin-reference --basin-paths 10000 --name modes-basinref runs/defaults/mos50 runs/defaults/gmm40
	for p in 10000 40000 80000; do # a fresh fit with the modes seed (the runs' own used seed 1)
		echo "## fit paths $p"
		m --basin --basin-paths $p --name modes-basin-p$p runs/defaults/mos50 runs/defaults/gmm40
	done
	echo "## cap of alpha 100"
	m --basin --basin-paths 40000 --basin-max-alpha 100 --name modes-basin-a100-p40000 runs/defaults/mos50 runs/defaults/gmm40
	echo "## importance-sampled masses"
	m --basin --basin-paths 40000 --basin-mass is --name modes-basin-is-p40000 runs/defaults/mos50 runs/defaults/gmm40
	echo "## annealed importance sampling of the masses"
	m --basin --basin-paths 40000 --basin-mass ais --name modes-basin-ais-p40000 runs/defaults/mos50 runs/defaults/gmm40
	mkdir -p runs/study-basin
	for e in mos50 gmm40; do
		d=runs/study-basin/$e-s2
		[ -f "$d/metrics.json" ] || { rm -rf "$d"; nice -n 10 "$BIN" --exp $e --seed 2 --quiet --out runs/study-basin --name $e-s2 >/dev/null; }
		[ -f "$d/eval.md" ] || nice -n 10 "$BIN" eval --run "$d" --seeds 5 --quiet >/dev/null
	done
	echo "## second training seed"
	m runs/study-basin/mos50-s2 runs/study-basin/gmm40-s2
	echo "## second training seed: evaluation protocol"
	"$BIN" report runs/study-basin/mos50-s2 runs/study-basin/gmm40-s2
} | tee runs/basin.md
