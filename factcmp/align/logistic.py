"""A logistic regression fitted by scikit-learn in ``benchmarks/`` and applied here with numpy,
so that a run never imports the learner. The aligner's pair scorer (:mod:`.score`) and the
story clusterer (:mod:`factcmp.stories.cluster`) are both one of these plus their bars."""

from __future__ import annotations

import json
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import numpy as np

from ..errors import FactcmpError

ARRAYS = ("low", "high", "mean", "scale", "coef")


@dataclass(frozen=True)
class Logistic:
    """Weights on standardised features, and each feature's range in the training data."""

    low: np.ndarray
    high: np.ndarray
    mean: np.ndarray
    scale: np.ndarray
    coef: np.ndarray
    intercept: float

    def probability(self, X: np.ndarray) -> np.ndarray:
        """P(positive) for each row of ``X``, in [0, 1].

        Each feature is first clipped to the range it had in training: a linear model must
        not extrapolate (a corpus of three sentences centres to cosines of -1).
        """
        clipped = np.clip(X, self.low, self.high)
        z = ((clipped - self.mean) / self.scale) @ self.coef + self.intercept
        out: np.ndarray = 1.0 / (1.0 + np.exp(-np.clip(z, -30, 30)))
        return out


def read_fitted(
    path: Path, features: Sequence[str], what: str, refit: str, dtype: Any
) -> tuple[dict[str, Any], dict[str, Any]]:
    """The fitted file at ``path``: the :class:`Logistic` fields (arrays of ``dtype``) and the
    whole document (for the caller's bars).

    Args:
        features: the feature names this code computes, in order; the file must name the same.
        what: what the file is, for messages ("the aligner's weights").
        refit: the command that fits it again.

    Raises:
        FactcmpError: missing or unreadable file, or fitted on other features.
    """
    try:
        data = json.loads(path.read_text(encoding="utf-8"))
    except (OSError, ValueError) as e:
        raise FactcmpError(f"cannot read {what} {path}: {e}") from e
    if tuple(data["features"]) != tuple(features):
        raise FactcmpError(f"{path} was fitted on other features; refit: {refit}")
    fields = {k: np.array(data[k], dtype=dtype) for k in ARRAYS}
    return {**fields, "intercept": float(data["intercept"])}, data
