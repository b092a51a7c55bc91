"""WoE, IV and PSI as divergences, with valid standard errors and tests (Sudjianto & Burakov 2025, arXiv:2509.09855).

IV = J(g, b) = KL(g‖b) + KL(b‖g) and PSI = J(a, e) are Jeffreys divergences. The paper's delta-method SE
(eq. 18) and z-test (eq. 21) are kept as ``method="paper"``/:func:`paper_z_test`; the defaults use the
corrected multinomial delta method (C1) and χ² tests T = 2 N_eff D/φ''(1) (C2). See ``paper_notes/credit.md``.
"""

from theory.credit._batch import IVSummary, bin_counts, iv_summary
from theory.credit._binning import BinningTable, binning_table, optimal_binning, quantile_edges, woe_transform
from theory.credit._divergence import divergence
from theory.credit._errors import CreditInputError, ZeroCellError
from theory.credit._fairness import (
    Exceedance,
    ScoreBinIV,
    adverse_impact_ratio,
    iv_exceedance,
    score_bin_iv,
    tradeoff_ratio,
)
from theory.credit._frontier import FairnessFrontier, fairness_frontier
from theory.credit._inference import (
    DivergenceTest,
    IVInterval,
    PaperZTest,
    divergence_power,
    divergence_test,
    iv_confidence_interval,
    iv_standard_error,
    iv_test,
    paper_z_test,
    psi_critical_value,
    psi_test,
)
from theory.credit._merge import MergeResult, optimal_merge
from theory.credit._permutation import PermutationTest, permutation_iv_test
from theory.credit._simulate import SimulatedCredit, simulate_credit
from theory.credit._woe import IVResult, PSIResult, WoEResult, information_value, psi, woe

__all__ = [
    "BinningTable", "CreditInputError", "DivergenceTest", "Exceedance", "FairnessFrontier", "IVInterval",
    "IVResult", "IVSummary", "MergeResult", "PSIResult", "PaperZTest", "PermutationTest", "ScoreBinIV",
    "SimulatedCredit", "WoEResult", "ZeroCellError", "adverse_impact_ratio", "bin_counts", "binning_table",
    "divergence", "divergence_power", "divergence_test", "fairness_frontier", "information_value",
    "iv_confidence_interval", "iv_exceedance", "iv_standard_error", "iv_summary", "iv_test", "optimal_binning",
    "optimal_merge", "paper_z_test", "permutation_iv_test", "psi", "psi_critical_value", "psi_test",
    "quantile_edges", "score_bin_iv", "simulate_credit", "tradeoff_ratio", "woe", "woe_transform",
]
