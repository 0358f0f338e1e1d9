#!/usr/bin/env python3
"""Tabulates runs/study-all/*/eval.json (written by scripts/study_all.sh) as the tables of
docs/study.md. Per target: the uncontrolled reference and the floor once (they depend only on
the process and the evaluation seeds, which every row shares); per row the target's weakest
metrics for NAAS (mean ± std over the 5 evaluation seeds) and the paired per-seed difference
NAAS − reference (same seeds: same exact sets and sampler noise), the fewest modes hit over
the seeds, the mean ESS fraction of the tempered AM path weights (--is-temper rows), the
training time (sum of the epochs in log.jsonl), the wall time of the training command
(training + its one-seed evaluation, from walltime.txt) and of the 5-seed `eval`.
Rows whose process differs from the experiment's default (K, σ, β: --steps, --sigma-max, ...)
get their own table, since the reference changes with the process.
Usage: python3 scripts/study_table.py [row ...]"""
import json, os, re, statistics, sys

OUT = "runs/study-all"
METRICS = {"mos50": ["mode_tv", "mmd", "sinkhorn_divergence"], "gmm40": ["mode_tv", "mmd", "sinkhorn_divergence"],
           "funnel10": ["ks_x0", "mmd", "sinkhorn_divergence"], "manywell5": ["mode_tv", "mmd", "sinkhorn_divergence"]}
SHORT = {"mode_tv": "mode TV", "mmd": "MMD", "sinkhorn_divergence": "Sinkhorn", "ks_x0": "KS x₀"}


def fmt(x):
    if abs(x) < 1e-12:
        return "0"
    return f"{x:.3g}" if abs(x) >= 1e-3 or x == 0 else f"{x:.2g}"


def ms(v):
    return f"{fmt(statistics.mean(v))} ± {fmt(statistics.stdev(v) if len(v) > 1 else 0)}"


def load(name):
    d = os.path.join(OUT, name)
    ev = json.load(open(os.path.join(d, "eval.json")))
    cfg = json.load(open(os.path.join(d, "config.json")))
    log = [json.loads(l) for l in open(os.path.join(d, "log.jsonl"))]
    return ev, cfg, log


def row(name, ev, cfg, log):
    exp = ev["experiment"]
    train = sum(l["seconds"] for l in log)
    ess = [l["is_ess"] for l in log if "is_ess" in l]
    ess = f"{statistics.mean(ess):.3g}" if ess else "–"
    cells = []
    for m in METRICS[exp]:
        a = [r["naas"][m] for r in ev["reports"]]
        diff = [r["naas"][m] - r["baseline"][m] for r in ev["reports"]]
        cells.append(f"{ms(a)} | {ms(diff)}")
    hit = "–"
    if "modes_hit" in ev["reports"][0]["naas"]:
        hit = f"{min(r['naas']['modes_hit'] for r in ev['reports']):.3g}"
    dagger = "†" if "--out runs/defaults" in cfg["command"] else ""
    cmd = re.sub(r" --(out|name) \S+| --no-w2| --quiet", "", cfg["command"].split(" ", 1)[1])
    st = cfg["settings"]
    what = (f"{st['process'].get('control_from', 0):g} / {st['train']['ram_epochs']} / "
            f"{st['train'].get('is_temper', 0):g} / {st['train'].get('ram_target_ema', 0):g} / {st['seed']}")
    wall = "–"
    wt = os.path.join(OUT, "walltime.txt")
    if os.path.exists(wt):
        for l in open(wt):
            if l.startswith(name + " "):
                wall = f"{float(l.split(':')[1].split()[0]):.0f} s"
    evs = sum(r.get("seconds", 0) for r in ev["reports"])
    return f"| {name}{dagger} | `{cmd}` | {what} | {train:.0f} s | {wall} | {evs:.0f} s | " + " | ".join(cells) + f" | {hit} | {ess} |"


rows = sys.argv[1:] or sorted(n for n in os.listdir(OUT) if os.path.exists(os.path.join(OUT, n, "eval.json")))
by = {}
for n in rows:
    ev, cfg, log = load(n)
    by.setdefault(ev["experiment"], []).append((n, ev, cfg, log))
LABEL = {"steps": "K", "sigma_max": "σ_max", "sigma_min": "σ_min", "beta": "β", "sigma": "σ schedule"}


def proc_key(cfg):
    """The process settings that the reference depends on (everything but t₀)."""
    p = dict(cfg["settings"]["process"])
    p.pop("control_from", None)
    return json.dumps(p, sort_keys=True)


for exp in ["mos50", "gmm40", "funnel10", "manywell5"]:
    if exp not in by:
        continue
    m = METRICS[exp]
    # rows whose process differs (K, σ, β) have their own reference: one table per process,
    # the most common (the experiment's default) first
    groups = {}
    for r in by[exp]:
        groups.setdefault(proc_key(r[2]), []).append(r)
    keys = sorted(groups, key=lambda k: -len(groups[k]))
    base = json.loads(keys[0])
    for k in keys:
        rs = groups[k]
        ev0 = rs[0][1]
        p = json.loads(k)
        diff = ", ".join(f"{LABEL.get(x, x)} = {p[x]:g}" if isinstance(p[x], (int, float)) else f"{LABEL.get(x, x)} {p[x]}"
                         for x in sorted(p) if p[x] != base.get(x))
        title = f"{exp}, {diff}" if diff else exp
        ref = "; ".join(f"{SHORT[x]} {ms([r['baseline'][x] for r in ev0['reports']])}" for x in m)
        flo = "; ".join(f"{SHORT[x]} {ms([r['floor'][x] for r in ev0['reports']])}" for x in m)
        print(f"\n**{title}** — reference (u = v = 0): {ref}. Floor (exact vs exact): {flo}.\n")
        print("| row | command | t₀ / RAM ep. / α / EMA / seed | training | run wall | eval wall | " + " | ".join(f"{SHORT[x]} | Δ {SHORT[x]}" for x in m) + " | modes hit (min) | IS ESS |")
        print("|---|---|---|---|---|---|" + "---|" * (2 * len(m)) + "---|---|")
        for n, ev, cfg, log in rs:
            print(row(n, ev, cfg, log))
