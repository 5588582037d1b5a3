"""The risk classifier: its own model, apart from the intent classifier,
trained on the risk corpus (concerns and as many hard negatives).

Two probabilities per message: that it is a concern at all, and that it is
an explicit statement of current harm (what makes a message urgent). Both are
logistic regressions over character n-grams of the normalised text (they
absorb typos and Welsh mutations) and word n-grams; a third model names the
likely category when the lexicon named none.
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from typing import Any

from scipy.sparse import hstack
from sklearn.feature_extraction.text import TfidfVectorizer
from sklearn.linear_model import LogisticRegression
from sklearn.pipeline import FeatureUnion

from bot.safeguarding.corpus import Labelled
from bot.safeguarding.normalise import normalise

SEED = 7


def prepare(text: str) -> str:
    """What the models read: the detector's normalised tokens (leetspeak,
    algospeak, emoji, repeated letters and accents undone)."""
    return " ".join(normalise(text).tokens)


def _features() -> FeatureUnion:
    return FeatureUnion(
        [
            ("chars", TfidfVectorizer(analyzer="char_wb", ngram_range=(2, 5), min_df=2, sublinear_tf=True)),
            ("words", TfidfVectorizer(analyzer="word", ngram_range=(1, 2), min_df=1, sublinear_tf=True)),
        ]
    )


def _model(c: float) -> LogisticRegression:
    return LogisticRegression(C=c, class_weight="balanced", max_iter=2000, random_state=SEED)


@dataclass(frozen=True)
class RiskScore:
    concern: float
    explicit: float
    row: Any = None  # the message's features, to name a category only when needed


def _probability(model: LogisticRegression, row: Any) -> float:
    logit = float((row @ model.coef_[0])[0] + model.intercept_[0])
    return 1.0 / (1.0 + math.exp(-logit))


class RiskModel:
    """One set of features, read once per message, and three heads on it."""

    PARTS = ("features", "concern", "explicit", "category")

    def __init__(self, c: float = 10.0) -> None:
        self.c = c
        self.features = _features()
        self.concern = _model(c)
        self.explicit = _model(c)
        self.category = _model(c)

    def fit(self, items: list[Labelled], ordinary: list[str] = ()) -> RiskModel:  # type: ignore[assignment]
        """``items``: the risk corpus; ``ordinary``: everyday messages, more
        negatives (most messages a service gets are not a concern)."""
        texts = [prepare(i.text) for i in items] + [prepare(t) for t in ordinary]
        matrix = self.features.fit_transform(texts)
        self.concern.fit(matrix, [int(i.concern) for i in items] + [0] * len(ordinary))
        self.explicit.fit(matrix, [int(i.explicit) for i in items] + [0] * len(ordinary))
        rows = [n for n, i in enumerate(items) if i.concern and i.category]
        self.category.fit(matrix[rows], [items[n].category for n in rows])
        return self

    def score(self, text: str) -> RiskScore:
        prepared = prepare(text)
        if not prepared:
            return RiskScore(0.0, 0.0)
        # The union's parts directly, and the heads' arithmetic by hand:
        # sklearn's per-call checks cost more than the sums on one message.
        row = hstack([part.transform([prepared]) for _, part in self.features.transformer_list]).tocsr()
        return RiskScore(_probability(self.concern, row), _probability(self.explicit, row), row)

    def category_of(self, score: RiskScore) -> str | None:
        return str(self.category.predict(score.row)[0]) if score.row is not None else None
