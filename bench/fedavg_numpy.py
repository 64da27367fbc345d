"""Vectorised numpy reference of fedsim's synchronous FedAvg (McMahan et al. 2017, arXiv 1602.05629),
for `make bench`: the same work per round as fedsim's bench scenarios, single-threaded.

Each round samples K of N clients uniformly without replacement; each copies the global softmax
regression (float32), runs E epochs of minibatch SGD with batch B over a fresh permutation of its
rows (mean softmax cross-entropy plus l2/2 ||W||^2), and returns its update; the server adds the
updates weighted by n_k / sum n_k. Data: digits (pixels / 16, 20% held out, Hsu et al. 2019
Dirichlet(alpha) equal-size label partition) or Synthetic(alpha, beta) of Li et al. 2020 (FedProx), natural
partition. Prints one JSON object: seconds per round over the timed rounds (setup excluded).
"""
import argparse
import json
import time

import numpy as np


def digits(path, clients, alpha, rng):
    raw = np.loadtxt(path, delimiter=",", skiprows=1, dtype=np.float32)
    x, y = raw[:, 1:] / 16, raw[:, 0].astype(np.int64)
    order = rng.permutation(len(y))
    train = order[int(round(0.2 * len(y))):]
    x, y = x[train], y[train]
    # Hsu, Qi, Brown 2019: equal-sized clients, class mix q ~ Dir(alpha p), a class that runs out
    # is removed and q renormalised.
    pools = [list(rng.permutation(np.flatnonzero(y == c))) for c in range(10)]
    p = np.array([len(pool) for pool in pools], dtype=np.float64) / len(y)
    shards = []
    for k in range(clients):
        size = len(y) // clients + (1 if k < len(y) % clients else 0)
        q = rng.dirichlet(alpha * p)
        rows = []
        for _ in range(size):
            live = np.array([len(pool) > 0 for pool in pools])
            weights = q * live
            weights = weights / weights.sum() if weights.sum() > 0 else live / live.sum()
            rows.append(pools[rng.choice(10, p=weights)].pop())
        shards.append(np.array(rows, dtype=np.int64))
    return x, y, shards, 10


def synthetic(clients, alpha, beta, rng):
    d, c = 60, 10
    sigma = np.arange(1, d + 1) ** -1.2
    xs, ys, shards, start = [], [], [], 0
    for _ in range(clients):
        u, b_mean = rng.normal(0, np.sqrt(alpha)), rng.normal(0, np.sqrt(beta))
        w, b = rng.normal(u, 1, (d, c)), rng.normal(u, 1, c)
        v = rng.normal(b_mean, 1, d)
        n = int(rng.lognormal(4, 2)) + 50
        x = rng.normal(v, np.sqrt(sigma), (n, d))
        xs.append(x.astype(np.float32))
        ys.append(np.argmax(x @ w + b, axis=1))
        shards.append(np.arange(start, start + n))
        start += n
    return np.concatenate(xs), np.concatenate(ys), shards, c


def local_sgd(w, b, x, y, epochs, batch, lr, l2, rng):
    w, b = w.copy(), b.copy()
    for _ in range(epochs):
        perm = rng.permutation(len(y))
        for s in range(0, len(y), batch):
            idx = perm[s:s + batch]
            xb = x[idx]
            logits = xb @ w + b
            logits -= logits.max(axis=1, keepdims=True)
            p = np.exp(logits)
            p /= p.sum(axis=1, keepdims=True)
            p[np.arange(len(idx)), y[idx]] -= 1
            p /= len(idx)
            gw = xb.T @ p
            if l2:
                gw += l2 * w
            w -= lr * gw
            b -= lr * p.sum(axis=0)
    return w, b


def main():
    a = argparse.ArgumentParser()
    a.add_argument("--data", choices=["digits", "synthetic"], required=True)
    a.add_argument("--path", default="Scenarios/data/digits.csv")
    a.add_argument("--clients", type=int, required=True)
    a.add_argument("--per-round", type=int, required=True)
    a.add_argument("--rounds", type=int, required=True)
    a.add_argument("--epochs", type=int, default=1)
    a.add_argument("--batch", type=int, default=10)
    a.add_argument("--lr", type=float, default=0.3)
    a.add_argument("--l2", type=float, default=1e-4)
    a.add_argument("--alpha", type=float, default=0.5)
    args = a.parse_args()
    rng = np.random.default_rng(1)
    if args.data == "digits":
        x, y, shards, classes = digits(args.path, args.clients, args.alpha, rng)
    else:
        x, y, shards, classes = synthetic(args.clients, 1.0, 1.0, rng)
    sizes = np.array([len(s) for s in shards], dtype=np.float64)
    local = [(x[s], y[s]) for s in shards]
    w = np.zeros((x.shape[1], classes), dtype=np.float32)
    b = np.zeros(classes, dtype=np.float32)
    lr, l2 = np.float32(args.lr), np.float32(args.l2)
    started = time.perf_counter()
    for _ in range(args.rounds):
        chosen = rng.choice(args.clients, args.per_round, replace=False)
        total = sizes[chosen].sum()
        dw, db = np.zeros_like(w), np.zeros_like(b)
        for k in chosen:
            if sizes[k] == 0:
                continue
            wk, bk = local_sgd(w, b, *local[k], args.epochs, args.batch, lr, l2, rng)
            share = np.float32(sizes[k] / total)
            dw += share * (wk - w)
            db += share * (bk - b)
        w += dw
        b += db
    elapsed = time.perf_counter() - started
    print(json.dumps({"secondsPerRound": elapsed / args.rounds, "rounds": args.rounds, "numpy": np.__version__}))


if __name__ == "__main__":
    main()
