#!/usr/bin/env python3
"""Peer benchmark: Optuna's TPE and random samplers on standard synthetic minimisation objectives.

Each (objective, sampler, seed) is one fresh study of N sequential evaluations. The table gives,
for n in {10, 20, 30, 50} (those <= N), the median and quartiles over seeds of the best value found
after n evaluations, so nin's own sampler can be compared with Optuna's on the same objectives.

Objectives (nin defines the same ones):
  branin        x1 in [-5, 10], x2 in [0, 15]; global minimum 0.397887.
  hartmann6     x1..x6 in [0, 1]; global minimum -3.32237.
  noisy-branin  Branin plus N(0, 1) noise: one numpy.random.default_rng([seed, 12345]).normal(0, 1)
                draw per evaluation, in evaluation order. The sampler sees the noisy value; the
                best found after n evaluations is the noise-free Branin value of the evaluation
                with the lowest noisy value among the first n (the first such on a tie).
Samplers:
  optuna-tpe        TPESampler(seed=seed, n_startup_trials=10), otherwise Optuna's defaults.
                    Since Optuna 5 the default multivariate=None means multivariate TPE for a
                    single objective, so this samples exactly as optuna-tpe-mv does.
  optuna-tpe-mv     TPESampler(seed=seed, n_startup_trials=10, multivariate=True).
  optuna-tpe-indep  TPESampler(seed=seed, n_startup_trials=10, multivariate=False): the
                    independent (per-parameter) TPE that was the default before Optuna 5.
                    Not in the default set; ask for it with --samplers.
  optuna-random     RandomSampler(seed=seed).

Quartiles are numpy.percentile with its default linear interpolation (the same as
statistics.quantiles(method="inclusive")).

This is a benchmark for the comparison in docs/performance.md, never a test dependency. Run it through
run-optuna.sh, which sets up optuna in a virtual environment.
"""
import argparse
import math
import platform
import sys
import time
import warnings

import numpy as np
import optuna

CHECKPOINTS = (10, 20, 30, 50)
NOISE_SD = 1.0
NOISE_STREAM = 12345  # second word of the noise generator's seed, fixed so nin can match it


def branin(x1, x2):
    a, b, c = 1.0, 5.1 / (4 * math.pi ** 2), 5 / math.pi
    r, s, t = 6.0, 10.0, 1 / (8 * math.pi)
    return a * (x2 - b * x1 ** 2 + c * x1 - r) ** 2 + s * (1 - t) * math.cos(x1) + s


HARTMANN_ALPHA = (1.0, 1.2, 3.0, 3.2)
HARTMANN_A = ((10, 3, 17, 3.5, 1.7, 8),
              (0.05, 10, 17, 0.1, 8, 14),
              (3, 3.5, 1.7, 10, 17, 8),
              (17, 8, 0.05, 10, 0.1, 14))
HARTMANN_P = tuple(tuple(1e-4 * p for p in row) for row in
                   ((1312, 1696, 5569, 124, 8283, 5886),
                    (2329, 4135, 8307, 3736, 1004, 9991),
                    (2348, 1451, 3522, 2883, 3047, 6650),
                    (4047, 8828, 8732, 5743, 1091, 381)))


def hartmann6(x):
    total = 0.0
    for alpha, a_row, p_row in zip(HARTMANN_ALPHA, HARTMANN_A, HARTMANN_P):
        total -= alpha * math.exp(-sum(a * (xj - p) ** 2 for a, xj, p in zip(a_row, x, p_row)))
    return total


def run_study(objective, sampler, seed, evaluations):
    """One study; returns the best-found value after each evaluation (length `evaluations`)."""
    study = optuna.create_study(direction="minimize", sampler=sampler)
    if objective == "hartmann6":
        study.optimize(lambda t: hartmann6([t.suggest_float(f"x{i}", 0.0, 1.0) for i in range(1, 7)]),
                       n_trials=evaluations)
        return np.minimum.accumulate([t.value for t in study.trials]).tolist()

    clean = []  # noise-free Branin value of each evaluation, in order
    rng = np.random.default_rng([seed, NOISE_STREAM]) if objective == "noisy-branin" else None

    def f(trial):
        value = branin(trial.suggest_float("x1", -5.0, 10.0), trial.suggest_float("x2", 0.0, 15.0))
        clean.append(value)
        return value if rng is None else value + NOISE_SD * rng.normal(0.0, 1.0)

    study.optimize(f, n_trials=evaluations)
    # Best found = the clean value of the evaluation the sampler believes best so far (for plain
    # Branin the observed value is the clean one, so this is the running minimum).
    best, best_observed, curve = None, math.inf, []
    for trial, value in zip(study.trials, clean):
        if trial.value < best_observed:
            best_observed, best = trial.value, value
        curve.append(best)
    return curve


SAMPLERS = {
    "optuna-tpe": lambda seed: optuna.samplers.TPESampler(seed=seed, n_startup_trials=10),
    "optuna-tpe-mv": lambda seed: optuna.samplers.TPESampler(
        seed=seed, n_startup_trials=10, multivariate=True),
    "optuna-tpe-indep": lambda seed: optuna.samplers.TPESampler(
        seed=seed, n_startup_trials=10, multivariate=False),
    "optuna-random": lambda seed: optuna.samplers.RandomSampler(seed=seed),
}
OBJECTIVES = ("branin", "hartmann6", "noisy-branin")


def names(text, allowed):
    chosen = [s for s in text.split(",") if s]
    unknown = [s for s in chosen if s not in allowed]
    if unknown or not chosen:
        raise argparse.ArgumentTypeError(f"unknown {unknown}; choose from {','.join(allowed)}")
    return chosen


def main():
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--seeds", type=int, default=20, help="seeds 0..S-1 (default 20)")
    parser.add_argument("--evaluations", type=int, default=50, help="evaluations per study (default 50)")
    parser.add_argument("--objectives", type=lambda s: names(s, OBJECTIVES), default=list(OBJECTIVES))
    parser.add_argument("--samplers", type=lambda s: names(s, tuple(SAMPLERS)),
                        default=["optuna-tpe", "optuna-tpe-mv", "optuna-random"])
    args = parser.parse_args()

    optuna.logging.set_verbosity(optuna.logging.WARNING)
    # multivariate=True is still marked experimental in some Optuna versions; the warning is noise.
    warnings.filterwarnings("ignore", category=optuna.exceptions.ExperimentalWarning)

    checkpoints = [n for n in CHECKPOINTS if n <= args.evaluations]
    print(f"# optuna {optuna.__version__}, numpy {np.__version__}, python {platform.python_version()}, "
          f"seeds 0..{args.seeds - 1}, evaluations {args.evaluations}")
    print("# best found after n evaluations over seeds: median, q25, q75 (numpy.percentile, linear)")
    print("\t".join(("objective", "sampler", "n", "median", "q25", "q75", "seeds")))
    for objective in args.objectives:
        for sampler in args.samplers:
            start = time.perf_counter()
            curves = np.array([run_study(objective, SAMPLERS[sampler](seed), seed, args.evaluations)
                               for seed in range(args.seeds)])
            for n in checkpoints:
                median, q25, q75 = np.percentile(curves[:, n - 1], [50, 25, 75])
                print(f"{objective}\t{sampler}\t{n}\t{median:.6f}\t{q25:.6f}\t{q75:.6f}\t{args.seeds}")
            sys.stdout.flush()
            print(f"optuna_tpe: {objective} {sampler}: {time.perf_counter() - start:.1f} s", file=sys.stderr)


if __name__ == "__main__":
    main()
