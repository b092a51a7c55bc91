"""Loss-curve laws on Luo et al.'s runs: MPL fitted on the reference split, the published MPL, the annealing law,
and MPL on constant + cosine alone (which does not identify (B, C, β) and runs to the box)."""

from __future__ import annotations

import numpy as np
import pandas as pd

from simulations import RunContext, driver, new_figure
from theory import datasets
from theory.schedules import (
    MULTIPOWER_PUBLISHED,
    CurveError,
    LossCurve,
    annealing_predict,
    fit_annealing,
    fit_multipower,
    multipower_curves,
    multipower_predict,
)

REFERENCE_SPLIT = ("constant_24000", "cosine_24000", "wsdcon_9")
CONST_COS = ("constant_24000", "cosine_24000")
ORDER = ("constant_24000", "cosine_24000", "wsdcon_9", "constant_72000", "cosine_72000", "wsd_20000_24000",
         "wsdld_20000_24000", "wsdcon_3", "wsdcon_18")


def _curves(model: str, thin: int) -> dict[str, LossCurve]:
    full = multipower_curves(model)
    return {k: LossCurve(k, c.steps[::thin], c.loss[::thin], c.lrs) for k, c in full.items()}


def _fit(model: str, law: str, names: tuple, thin: int, max_nfev: int) -> dict:
    curves = _curves(model, thin)
    chosen = [curves[n] for n in names]
    if law == "annealing":
        fit = fit_annealing(chosen, warmup_steps=2160, max_nfev=max_nfev)
    else:
        fit = fit_multipower(chosen, max_nfev=max_nfev)
    return {"model": model, "law": law, "names": names, "fit": fit}


def _errors(loss: np.ndarray, pred: np.ndarray) -> CurveError:
    """The same relative errors as ``prediction_errors``, from predictions already computed for the plot."""
    rel = np.abs(loss - pred) / loss
    return CurveError(float(rel.mean()), float(rel.max()), float(pred[-1]), float(loss[-1]))


def _optimal_lrs(model: str) -> np.ndarray:
    """Luo et al.'s MPL-optimised schedule with the 2160-step linear warmup put back in front."""
    opt = datasets.load("wsd_multipower_optimized")
    tail = opt[opt.model == model].sort_values("step")["lr"].to_numpy()
    return np.concatenate([np.linspace(0.0, 3e-4, 2160), tail])


@driver("wsd_multipower", "Multi-power and annealing laws fitted to WSD/cosine/constant loss curves (400M)")
def wsd_multipower(ctx: RunContext) -> dict:
    model, thin, nfev_mpl, nfev_ann = ("25M", 4, 30, 30) if ctx.quick else ("400M", 1, 200, 500)
    others = () if ctx.quick else ("25M", "100M")
    tasks = [dict(model=model, law="multipower", names=REFERENCE_SPLIT, thin=thin, max_nfev=nfev_mpl),
             dict(model=model, law="annealing", names=CONST_COS, thin=thin, max_nfev=nfev_ann),
             dict(model=model, law="multipower", names=CONST_COS, thin=thin, max_nfev=nfev_mpl)]
    tasks += [dict(model=m, law="multipower", names=REFERENCE_SPLIT, thin=thin, max_nfev=nfev_mpl) for m in others]
    done = ctx.map(_fit, tasks, desc="law fits")
    mpl_ref, ann, mpl_cc = (d["fit"] for d in done[:3])
    curves = _curves(model, thin)
    laws = {"MPL fit (ref. split)": (mpl_ref.params, {}),
            "MPL published": (MULTIPOWER_PUBLISHED[model], {}),
            "annealing fit (const+cos)": (ann.params, {"warmup_steps": 2160}),
            "MPL fit (const+cos)": (mpl_cc.params, {})}
    preds = {name: {stem: np.asarray(multipower_predict(p, c.lrs, c.steps) if "MPL" in name
                                     else annealing_predict(p, c.lrs, c.steps, **kw))
                    for stem, c in curves.items()} for name, (p, kw) in laws.items()}
    errors = {name: {stem: _errors(curves[stem].loss, pred) for stem, pred in by_curve.items()}
              for name, by_curve in preds.items()}

    fig, axes = new_figure(3, 4, width=17.0, height=10.0)
    styles = dict(zip(laws, ["C0-", "C1--", "C2-.", "C3:"], strict=True))
    for ax, stem in zip(axes[:, :3].ravel(), ORDER, strict=True):
        c = curves[stem]
        ax.plot(c.steps, c.loss, "k.", ms=2, label="data")
        for name in laws:
            ax.plot(c.steps, preds[name][stem], styles[name], lw=1.2, label=name)
        role = "fit" if stem in REFERENCE_SPLIT else "held out"
        ax.set(title=f"{stem} ({role})", xlabel="step", ylabel="loss [nats]")
        lo = float(np.min(c.loss))
        ax.set_ylim(lo - 0.05, lo + 0.6)
    axes[0, 0].legend(fontsize=7)
    ax = axes[0, 3]
    width = 0.2
    x = np.arange(len(ORDER))
    for i, name in enumerate(laws):
        ax.bar(x + (i - 1.5) * width, [100 * errors[name][s].mean_rel_error for s in ORDER], width, label=name)
    ax.set_xticks(x, [s.replace("_24000", "").replace("_20000", "") for s in ORDER], rotation=60, fontsize=7)
    ax.set(ylabel="mean relative error [%]", title="Prediction error by curve")
    ax.legend(fontsize=6)
    ax = axes[1, 3]
    opt = _optimal_lrs(model)
    pred_opt = {name: float(multipower_predict(p, opt, [23999])[0]) for name, (p, _) in laws.items() if "MPL" in name}
    ax.plot(np.arange(opt.size), opt * 1e4, label="MPL-optimal (Luo et al.)")
    ax.plot(np.arange(24000), curves["wsd_20000_24000"].lrs * 1e4, "--", label="WSD exp. decay 20000→24000")
    ax.set(xlabel="step", ylabel="learning rate [1e-4]", title=f"{model}: MPL-optimal schedule")
    ax.legend(fontsize=7)
    ax = axes[2, 3]
    ax.axis("off")
    lines = [f"{model}  (objective = Σ Huber(log y − log L̂))",
             f"MPL ref split: obj {mpl_ref.objective:.4g}, {mpl_ref.n_evals} evals, at_bound {mpl_ref.at_bound}",
             f"annealing c+c: obj {ann.objective:.4g}, at_bound {ann.at_bound}",
             f"MPL c+c: obj {mpl_cc.objective:.4g}, at_bound {mpl_cc.at_bound}",
             f"   B={mpl_cc.params.B:.3g}, C={mpl_cc.params.C:.3g}, β={mpl_cc.params.beta:.3g}",
             "L̂(23999) of the MPL-optimal schedule:"]
    lines += [f"   {k}: {v:.4f}" for k, v in pred_opt.items()]
    ax.text(0.0, 1.0, "\n".join(lines), va="top", family="monospace", fontsize=7.5)
    fig.suptitle(f"Loss-curve laws on Luo et al.'s {model} runs (fit on the marked curves, predict the rest)")

    rows = []
    for name, errs in errors.items():
        for stem, e in errs.items():
            rows.append({"model": model, "law": name, "curve": stem, "mean_rel_error": e.mean_rel_error,
                         "worst_rel_error": e.worst_rel_error, "final_pred": e.final_pred, "final_data": e.final_data})
    for d in done:
        f = d["fit"]
        rows.append({"model": d["model"], "law": f"{f.law} fit on {'+'.join(d['names'])}", "curve": "(fit)",
                     "objective": f.objective, "n_evals": f.n_evals, "converged": f.converged,
                     "at_bound": ",".join(f.at_bound), **{f"param_{k}": v for k, v in vars(f.params).items()}})
    summary = {"model": model, "thin": thin,
               "mpl_ref_objective": mpl_ref.objective, "mpl_ref_converged": mpl_ref.converged,
               "mpl_ref_params": vars(mpl_ref.params),
               "annealing_objective": ann.objective, "annealing_params": vars(ann.params),
               "mpl_const_cos_objective": mpl_cc.objective, "mpl_const_cos_at_bound": list(mpl_cc.at_bound),
               "mpl_const_cos_params": vars(mpl_cc.params),
               "optimal_schedule_pred_23999": pred_opt}
    for name in laws:
        summary[f"mean_rel_error_held_out[{name}]"] = float(np.mean(
            [errors[name][s].mean_rel_error for s in ORDER if s not in REFERENCE_SPLIT]))
    for d in done[3:]:
        summary[f"fit_{d['model']}"] = {"objective": d["fit"].objective, "params": vars(d["fit"].params),
                                        "at_bound": list(d["fit"].at_bound)}
    ctx.save(figure=fig, table=pd.DataFrame(rows), summary=summary)
    return summary
