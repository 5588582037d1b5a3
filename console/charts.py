"""Feedback as pictures, drawn on the server (matplotlib, no script in the
page): the average rating month by month, ratings by what they were about,
and how much came in Welsh and in English."""

from __future__ import annotations

import io
from collections import defaultdict
from collections.abc import Sequence

from bot.records.feedback import FeedbackView


def feedback_chart(items: Sequence[FeedbackView], title: str) -> bytes:
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    by_month: dict[str, list[int]] = defaultdict(list)
    by_about: dict[str, list[int]] = defaultdict(list)
    by_language: dict[str, int] = defaultdict(int)
    for f in items:
        by_month[f"{f.created_at:%Y-%m}"].append(f.rating)
        by_about[f.about].append(f.rating)
        by_language[{"cy": "Cymraeg", "en": "English"}.get(f.language or "", "?")] += 1

    figure, (months, abouts, languages) = plt.subplots(1, 3, figsize=(11, 3.4), dpi=96)
    figure.suptitle(title, fontsize=11)
    keys = sorted(by_month)
    months.plot(keys, [sum(v) / len(v) for v in (by_month[k] for k in keys)], marker="o", color="#1d3557")
    months.set_ylim(0.5, 5.5)
    months.set_ylabel("1-5")
    abouts.bar(list(by_about), [sum(v) / len(v) for v in by_about.values()], color="#457b9d")
    abouts.set_ylim(0, 5)
    if by_language:
        languages.pie(
            list(by_language.values()), labels=list(by_language), colors=["#e63946", "#a8dadc", "#ccc"]
        )
    for axes in (months, abouts):
        axes.tick_params(labelsize=8)
    figure.tight_layout()
    out = io.BytesIO()
    figure.savefig(out, format="png")
    plt.close(figure)
    return out.getvalue()
