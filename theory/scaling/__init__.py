"""Chinchilla scaling-law fitting: Approach 2 and its bias, Approach 3 by variable projection.

Implements Czech et al. (2026), *Problems with Chinchilla Approach 2* (arXiv:2603.22339): the closed-form bias of
IsoFLOP-parabola fits, Approach 3 solved by variable projection (exact NNLS inner problem, 2-D outer search), the
5-D multistart protocol of Hoffmann et al. (2022), the dollar cost of a mis-allocated budget and bootstrap CIs.
"""

from theory.scaling._approach2 import (
    Approach2Bias,
    Approach2Fit,
    approach2_bias,
    approach2_expected,
    fit_approach2,
)
from theory.scaling._bootstrap import BootstrapResult, bootstrap_approach3, bootstrap_dcl
from theory.scaling._conditioning import Conditioning, conditioning
from theory.scaling._cost import DeadweightLoss, GPUCost, deadweight_compute
from theory.scaling._data import IsoflopData, isoflop_experiment, simulate_isoflops
from theory.scaling._errors import FitError, ScalingInputError
from theory.scaling._multistart import MultistartFit, fit_approach3_multistart, hoffmann_starts
from theory.scaling._surface import SURFACES, LossSurface
from theory.scaling._varpro import VarProFit, fit_approach3

__all__ = [
    "BootstrapResult",
    "Conditioning",
    "DeadweightLoss",
    "GPUCost",
    "bootstrap_approach3",
    "bootstrap_dcl",
    "conditioning",
    "deadweight_compute",
    "SURFACES",
    "Approach2Bias",
    "Approach2Fit",
    "FitError",
    "IsoflopData",
    "LossSurface",
    "MultistartFit",
    "ScalingInputError",
    "VarProFit",
    "approach2_bias",
    "approach2_expected",
    "fit_approach2",
    "fit_approach3",
    "fit_approach3_multistart",
    "hoffmann_starts",
    "isoflop_experiment",
    "simulate_isoflops",
]
