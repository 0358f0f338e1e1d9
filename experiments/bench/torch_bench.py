"""Times the PyTorch reference implementation of NAAS at given sizes; prints one JSON object.

Run by package bench (naas bench --torch PATH/naas_torch.py); PATH/naas_torch.py is imported as a
module, its mos50 (or --target) preset is used, and the sizes on the command line override it.
Times are wall-clock seconds from time.perf_counter; the first AM and RAM epoch are a warm-up.
"""
import argparse
import importlib.util
import json
import os
import statistics
import time

ap = argparse.ArgumentParser()
ap.add_argument("--ref", required=True)
ap.add_argument("--target", default="mos50")
for k in ("paths", "steps", "updates", "batch", "width", "depth", "reps", "seed"):
    ap.add_argument("--" + k, type=int, required=True)
args = ap.parse_args()

spec = importlib.util.spec_from_file_location("naas_torch", args.ref)
nt = importlib.util.module_from_spec(spec)
spec.loader.exec_module(nt)
import torch  # noqa: E402  (after naas_torch, which sets the thread count)

torch.manual_seed(args.seed)
cfg = dict(nt.DEFAULTS)
cfg.update(nt.PRESETS.get(args.target, {}))
cfg.update(batch_paths=args.paths, K=args.steps, M=args.updates, train_bs=args.batch,
           width=args.width, depth=args.depth, seed=args.seed)
S = nt.NAAS(nt.make_target(args.target), cfg)


def epoch(f):
    nt.STATS.time.clear()
    t = time.perf_counter()
    f()
    wall = time.perf_counter() - t
    tm = dict(nt.STATS.time)
    adj, train = tm.get("adjoint", 0.0), tm.get("train", 0.0)
    return dict(wall=wall, rollout=wall - adj - train, adjoint=adj, train=train)


S.am_epoch()
S.ram_epoch()
am, ram = [], []
for _ in range(args.reps):
    am.append(epoch(S.am_epoch))
    ram.append(epoch(S.ram_epoch))

x = S.m + S.s * torch.randn(args.paths, S.d)
tt = torch.rand(args.paths)
fwd = []
for _ in range(max(5, 4 * args.reps)):
    t = time.perf_counter()
    with torch.no_grad():
        S.u(x, tt)
    fwd.append(time.perf_counter() - t)
xb = S.m + S.s * torch.randn(args.batch, S.d)
tb = torch.rand(args.batch)
ab = torch.randn(args.batch, S.d)
step = []
for _ in range(max(5, 4 * args.reps)):
    t = time.perf_counter()
    loss = ((S.u(xb, tb) + ab) ** 2).sum(-1).mean()
    S.opt_u.zero_grad(set_to_none=True)
    loss.backward()
    S.opt_u.step()
    step.append(time.perf_counter() - t)

med = statistics.median
print(json.dumps(dict(
    version=torch.__version__, threads=torch.get_num_threads(),
    openblas_coretype=os.environ.get("OPENBLAS_CORETYPE", ""),
    params=sum(p.numel() for p in S.u.parameters()),
    am={k: med([e[k] for e in am]) for k in am[0]},
    ram={k: med([e[k] for e in ram]) for k in ram[0]},
    am_min={k: min(e[k] for e in am) for k in am[0]},
    ram_min={k: min(e[k] for e in ram) for k in ram[0]},
    forward=med(fwd), am_step=med(step), forward_min=min(fwd), am_step_min=min(step))))
