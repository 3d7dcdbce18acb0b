"""Rebuild intake/reason_model.json from the corpus's dev part (never heldout/).

    .venv/bin/pip install -e '.[train]'
    .venv/bin/python scripts/train_reasons.py            # writes the model, prints CV figures

scikit-learn fits a multinomial logistic regression on the features of intake/reasons.py
(lbfgs: deterministic for the same input, and the samples are read in sorted order). The
threshold below which the reason is `unclear` is chosen by 5-fold cross-validation on dev:
the one that maximises correct answers minus twice the wrong confident ones (a wrong reason
stated with confidence costs staff more than a review that names two candidates). Only the
weights are kept (rounded, small ones dropped): intake reads them without scikit-learn.
"""

from __future__ import annotations

import json
import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from sklearn.feature_extraction import DictVectorizer
from sklearn.linear_model import LogisticRegression
from sklearn.model_selection import StratifiedKFold

from benchmarks.understanding import load
from decisions.request import REASONS
from intake.own_text import own_text
from intake.parse import parse_message
from intake.reasons import MODEL_PATH, Model, classify, features
from intake.understand import bare_subject

C = 16.0  # inverse regularisation strength, chosen by cross-validation on dev
THRESHOLDS = [t / 100 for t in range(10, 80, 2)]


def texts_and_labels() -> tuple[list[str], list[str], list[str]]:
    """The dev emails' own texts, their reasons and their languages."""
    texts, labels, ids = [], [], []
    for sample in load("dev"):  # dev only: heldout/ is the lead's, never read here
        parsed = parse_message(sample.raw)
        texts.append(f"{bare_subject(parsed.subject)}\n{own_text(parsed.text).text}")
        labels.append(sample.label["reason"])
        ids.append(sample.label["language"])
    return texts, labels, ids


def fit(texts: list[str], labels: list[str]) -> Model:
    vectorizer = DictVectorizer()
    matrix = vectorizer.fit_transform([features(t) for t in texts])
    fitted = LogisticRegression(C=C, max_iter=2000).fit(matrix, labels)
    classes = tuple(str(c) for c in fitted.classes_)
    weights = {}
    for j, name in enumerate(vectorizer.feature_names_):
        row = [round(float(fitted.coef_[k][j]), 3) for k in range(len(classes))]
        if max(abs(w) for w in row) >= 0.05:  # smaller weights change no reading
            weights[name] = row
    bias = tuple(round(float(b), 3) for b in fitted.intercept_)
    return Model(classes, bias, weights, threshold=0.0)


def cross_validate(texts: list[str], labels: list[str]) -> list[tuple[str, str, float]]:
    """(label, prediction, confidence) for each dev email, each predicted by a model not trained on it."""
    folds = StratifiedKFold(n_splits=5, shuffle=True, random_state=13)
    out: list[tuple[str, str, float]] = [("", "", 0.0)] * len(texts)
    for train, test in folds.split(texts, labels):
        model = fit([texts[i] for i in train], [labels[i] for i in train])
        for i in test:
            guess = classify(texts[i], chosen=model)
            out[i] = (labels[i], guess.candidates[0][0], guess.confidence)
    return out


def pick_threshold(predictions: list[tuple[str, str, float]]) -> float:
    def utility(threshold: float) -> int:
        sure = [(label, got) for label, got, p in predictions if p >= threshold]
        right = sum(label == got for label, got in sure)
        return right - 2 * (len(sure) - right)
    return max(THRESHOLDS, key=lambda t: (utility(t), -t))


def summary(predictions: list[tuple[str, str, float]], threshold: float) -> dict[str, float]:
    n = len(predictions)
    right = sum(label == got for label, got, _ in predictions)
    sure = [(label, got) for label, got, p in predictions if p >= threshold]
    sure_right = sum(label == got for label, got in sure)
    return {"emails": n, "accuracy_without_threshold": round(right / n, 3),
            "accuracy_unclear_counted_wrong": round(sure_right / n, 3),
            "unclear_share": round(1 - len(sure) / n, 3),
            "accuracy_when_not_unclear": round(sure_right / max(1, len(sure)), 3)}


def by_language(predictions: list[tuple[str, str, float]], languages: list[str],
                threshold: float) -> str:
    """Cross-validated reason accuracy per language (unclear counted wrong) and the confusion."""
    rows = ["| language | n | reason (CV) |", "|---|---|---|"]
    for language in sorted(set(languages)):
        mine = [(label, got, p) for (label, got, p), lang in zip(predictions, languages, strict=True)
                if lang == language]
        right = sum(label == got and p >= threshold for label, got, p in mine)
        rows.append(f"| {language} | {len(mine)} | {100 * right / len(mine):.0f}% |")
    rows += ["", "| label \\ read | " + " | ".join(REASONS) + " | unclear |", "|---" * (len(REASONS) + 2) + "|"]
    for code in REASONS:
        read = [got if p >= threshold else "unclear" for label, got, p in predictions if label == code]
        rows.append(f"| {code} | " + " | ".join(str(read.count(c) or ".") for c in (*REASONS, "unclear")) + " |")
    return "\n".join(rows)


def main() -> int:
    texts, labels, languages = texts_and_labels()
    missing = sorted(set(REASONS) - set(labels))
    if missing:
        print(f"dev has no example of {', '.join(missing)}: cannot train", file=sys.stderr)
        return 1
    predictions = cross_validate(texts, labels)
    threshold = pick_threshold(predictions)
    figures = summary(predictions, threshold)
    model = fit(texts, labels)
    MODEL_PATH.write_text(json.dumps({
        "about": "reason model: scripts/train_reasons.py from tests/corpus/understanding/dev",
        "classes": list(model.classes), "bias": list(model.bias), "threshold": threshold,
        "dev_cross_validation": figures, "weights": dict(sorted(model.weights.items())),
    }, ensure_ascii=False, separators=(",", ":")) + "\n", encoding="utf-8")
    print(json.dumps({"threshold": threshold, **figures, "features": len(model.weights)}, indent=2))
    print(by_language(predictions, languages, threshold))
    return 0


if __name__ == "__main__":
    sys.exit(main())
