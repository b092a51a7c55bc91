"""Monte Carlo calibration of IV standard errors, test sizes and interval coverage (corrections C1-C2)."""

from __future__ import annotations

import jax
import numpy as np
import pandas as pd
from scipy import optimize, stats

from simulations import RunContext, driver, new_figure
from simulations.credit._mc import bootstrap_ci, draw_stats, noncentral_bounds, pad
from theory.credit import divergence, iv_standard_error

G = np.array([0.1, 0.15, 0.2, 0.25, 0.3])
B = G[::-1].copy()
Z95 = stats.norm.ppf(0.975)


def _sd_task(n: int, reps: int, seed: int) -> dict:
    """Part (a): one total N at 70/30 goods/bads."""
    ng, nb = 0.7 * n, 0.3 * n
    iv, se, se_paper, zero = (np.asarray(v) for v in draw_stats(jax.random.PRNGKey(seed), ng, nb, pad(G), pad(B),
                                                                 reps))
    ok = ~zero
    return {"N": n, "n_good": ng, "n_bad": nb, "reps": reps, "zero_cell_draws": int(zero.sum()),
            "sd_mc": float(iv[ok].std(ddof=1)), "mean_se_delta": float(se[ok].mean()),
            "mean_se_paper": float(se_paper[ok].mean()),
            "se_delta_truth": iv_standard_error(G * ng, B * nb), "mean_iv": float(iv[ok].mean())}


def _size_task(k: int, reps: int, seed: int) -> dict:
    """Part (b): H0 g = b uniform on k bins, n = m = 1000."""
    p = np.full(k, 1.0 / k)
    iv, _, se_paper, zero = (np.asarray(v) for v in draw_stats(jax.random.PRNGKey(seed), 1000.0, 1000.0, pad(p),
                                                               pad(p), reps))
    ok = ~zero
    iv, se_paper = iv[ok], se_paper[ok]
    z = np.where(se_paper > 0, iv / np.where(se_paper > 0, se_paper, 1.0), 0.0)
    t = 500.0 * iv                                               # N_eff·IV with N_eff = 1000·1000/2000
    return {"k": k, "reps": int(ok.sum()), "zero_cell_draws": int(zero.sum()),
            "size_chi2": float(np.mean(t > stats.chi2.ppf(0.95, k - 1))),
            "size_paper_one_sided": float(np.mean(z > stats.norm.ppf(0.95))),
            "size_paper_two_sided": float(np.mean(np.abs(z) > Z95)),
            "closed_form_one_sided": float(stats.chi2.sf(stats.norm.ppf(0.95) ** 2, k - 1)),
            "closed_form_two_sided": float(stats.chi2.sf(Z95**2, k - 1))}


def _shares_for_iv(target: float) -> np.ndarray:
    """b(t) = (1 - t) g + t·reverse(g), with t solving J(g, b(t)) = target."""
    t = optimize.brentq(lambda s: divergence(G, (1 - s) * G + s * B) - target, 0.0, 1.0)
    return (1 - t) * G + t * B


def _coverage_task(target: float, reps: int, boot_reps: int, n_boot: int, seed: int) -> list[dict]:
    """Part (c): coverage of 95 % intervals at N_G = 700, N_B = 300."""
    ng, nb = 700.0, 300.0
    b = _shares_for_iv(target)
    truth = divergence(G, b)
    iv, se, se_paper, zero = (np.asarray(v) for v in draw_stats(jax.random.PRNGKey(seed), ng, nb, pad(G), pad(b),
                                                                 reps))
    ok = ~zero
    iv, se, se_paper = iv[ok], se[ok], se_paper[ok]
    n_eff = ng * nb / (ng + nb)
    lam_l, lam_u = noncentral_bounds(n_eff * iv, G.size - 1, 0.95)
    cis = {"delta": (np.maximum(iv - Z95 * se, 0), iv + Z95 * se),
           "paper": (np.maximum(iv - Z95 * se_paper, 0), iv + Z95 * se_paper),
           "noncentral": (lam_l / n_eff, lam_u / n_eff)}
    rows = [{"target_iv": target, "true_iv": truth, "method": m,
             "coverage": float(np.mean((lo <= truth) & (truth <= hi))), "mean_width": float(np.mean(hi - lo)),
             "reps": int(ok.sum()), "zero_cell_draws": int(zero.sum())}
            for m, (lo, hi) in cis.items()]
    if boot_reps:
        biv, lo, hi, bz = (np.asarray(v) for v in bootstrap_ci(jax.random.PRNGKey(seed + 1), ng, nb, pad(G), pad(b),
                                                              boot_reps, n_boot, 0.95))
        okb = ~bz & np.isfinite(lo) & np.isfinite(hi)
        rows.append({"target_iv": target, "true_iv": truth, "method": "bootstrap",
                     "coverage": float(np.mean((lo[okb] <= truth) & (truth <= hi[okb]))),
                     "mean_width": float(np.mean(hi[okb] - lo[okb])), "reps": int(okb.sum()),
                     "zero_cell_draws": int((~okb).sum())})
    return rows


@driver("credit_se_calibration", "Monte Carlo of IV SEs (delta vs paper eq. 18), H0 test sizes, CI coverage")
def credit_se_calibration(ctx: RunContext) -> dict:
    reps = 1000 if ctx.quick else 20000
    ns = [1000, 10000, 30000] if ctx.quick else [100, 300, 1000, 3000, 10000, 30000]
    ks = [2, 3, 5, 10] if ctx.quick else list(range(2, 21))
    boot_reps, n_boot = (0, 0) if ctx.quick else (2000, 500)
    sd_rows = ctx.map(_sd_task, [{"n": n, "reps": reps, "seed": ctx.seed + i} for i, n in enumerate(ns)],
                      desc="(a) SD of IV vs N")
    size_rows = ctx.map(_size_task, [{"k": k, "reps": reps, "seed": ctx.seed + 100 + k} for k in ks],
                        desc="(b) H0 size vs k")
    cov_rows = sum(ctx.map(_coverage_task, [{"target": t, "reps": reps, "boot_reps": boot_reps, "n_boot": n_boot,
                                             "seed": ctx.seed + 200 + i} for i, t in enumerate((0.02, 0.13, 0.54))],
                           desc="(c) coverage"), [])
    sd, size, cov = pd.DataFrame(sd_rows), pd.DataFrame(size_rows), pd.DataFrame(cov_rows)

    fig, axes = new_figure(1, 3, width=15, height=4.6)
    ax = axes[0]
    ax.loglog(sd["N"], sd["sd_mc"], "o-", label="Monte Carlo SD of IV")
    ax.loglog(sd["N"], sd["mean_se_delta"], "s--", label="mean delta-method SE (C1)")
    ax.loglog(sd["N"], sd["mean_se_paper"], "^:", label="mean paper SE, eq. (18)")
    ax.set(xlabel="total sample size N (70 % goods) [rows]", ylabel="SD / SE of IV [nats]",
           title="(a) SE of IV, g = (.1,...,.3), b reversed")
    ax.legend()
    ax = axes[1]
    ax.plot(size["k"], size["size_chi2"], "o-", label="χ² test T = N_eff·IV (C2)")
    ax.plot(size["k"], size["size_paper_one_sided"], "s-", label="paper z, one-sided 5 %")
    ax.plot(size["k"], size["size_paper_two_sided"], "^-", label="paper z, two-sided 5 %")
    ax.plot(size["k"], size["closed_form_one_sided"], "k--", lw=1, label="P(χ²_{k-1} > 1.645²)")
    ax.plot(size["k"], size["closed_form_two_sided"], "k:", lw=1, label="P(χ²_{k-1} > 1.96²)")
    ax.axhline(0.05, color="grey", lw=0.8)
    ax.set(xlabel="number of bins k", ylabel="rejection rate under H0 [fraction]",
           title="(b) size at nominal 5 %, n = m = 1000", ylim=(0, 1.02))
    ax.legend(fontsize=8)
    ax = axes[2]
    methods = list(dict.fromkeys(cov["method"]))
    targets = sorted(set(cov["target_iv"]))
    width = 0.8 / len(methods)
    for i, m in enumerate(methods):
        sub = cov[cov["method"] == m].set_index("target_iv").reindex(targets)
        ax.bar(np.arange(len(targets)) + i * width, sub["coverage"], width, label=m)
    ax.axhline(0.95, color="k", lw=0.8, ls="--", label="nominal 0.95")
    ax.set_xticks(np.arange(len(targets)) + 0.4 - width / 2, [f"IV ≈ {t:g}" for t in targets])
    ax.set(ylabel="coverage of 95 % CI [fraction]", ylim=(0.5, 1.08), xlabel="true IV [nats]",
           title="(c) CI coverage, N_G = 700, N_B = 300")
    ax.legend(fontsize=8, loc="upper center", ncol=3)

    row = sd.set_index("N").get("sd_mc")
    summary = {
        "reps": reps,
        "sd_mc_7000_3000": float(row.get(10000)),
        "se_delta_truth_7000_3000": float(sd.set_index("N").loc[10000, "se_delta_truth"]),
        "mean_se_paper_7000_3000": float(sd.set_index("N").loc[10000, "mean_se_paper"]),
        "mean_se_delta_7000_3000": float(sd.set_index("N").loc[10000, "mean_se_delta"]),
        "paper_se_over_mc_sd_7000_3000": float(sd.set_index("N").loc[10000, "mean_se_paper"] / row.get(10000)),
        "max_abs_size_error_chi2": float(np.max(np.abs(size["size_chi2"] - 0.05))),
        "max_abs_paper_one_sided_vs_closed_form": float(np.max(np.abs(size["size_paper_one_sided"]
                                                                      - size["closed_form_one_sided"]))),
        "size_paper_one_sided_by_k": {int(k): float(v) for k, v in zip(size["k"], size["size_paper_one_sided"],
                                                                         strict=True)},
        "coverage": {f"{r.method}@{r.target_iv:g}": float(r.coverage) for r in cov.itertuples()},
        "bootstrap_reps": boot_reps, "n_boot": n_boot,
        "zero_cell_draws_total": int(sd["zero_cell_draws"].sum() + size["zero_cell_draws"].sum()),
    }
    table = pd.concat([sd.assign(part="a_sd_vs_n"), size.assign(part="b_size_vs_k"),
                       cov.assign(part="c_coverage")], ignore_index=True)
    ctx.save(figure=fig, table=table, summary=summary)
    return summary
