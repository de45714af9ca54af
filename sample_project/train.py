"""Train an iris classifier; report metrics per epoch; write model.pkl and metrics.json.

The dataset ships inside scikit-learn, so nothing is downloaded.
"""

from __future__ import annotations

import argparse
import json
import pickle
from pathlib import Path

import numpy as np
from sklearn.datasets import load_iris
from sklearn.linear_model import SGDClassifier
from sklearn.model_selection import train_test_split


def load_data(seed: int = 0) -> tuple[np.ndarray, np.ndarray, np.ndarray, np.ndarray]:
    features, labels = load_iris(return_X_y=True)
    return train_test_split(features, labels, test_size=0.3, random_state=seed, stratify=labels)


def train(epochs: int = 20, seed: int = 0) -> tuple[SGDClassifier, list[dict[str, float]]]:
    """Fit epoch by epoch; return the model and one metrics row per epoch."""
    x_train, x_test, y_train, y_test = load_data(seed)
    model = SGDClassifier(loss="log_loss", random_state=seed)
    classes = np.unique(y_train)
    history = []
    for epoch in range(1, epochs + 1):
        model.partial_fit(x_train, y_train, classes=classes)
        row = {
            "epoch": epoch,
            "train_accuracy": float(model.score(x_train, y_train)),
            "test_accuracy": float(model.score(x_test, y_test)),
        }
        history.append(row)
        print(
            f"epoch {epoch:2d}  train_accuracy={row['train_accuracy']:.3f}"
            f"  test_accuracy={row['test_accuracy']:.3f}",
            flush=True,
        )
        # pipedeck plots these lines as series; GitHub shows them as plain log lines.
        for name in ("train_accuracy", "test_accuracy"):
            print(f"::metric name={name},step={epoch}::{row[name]:.4f}", flush=True)
    return model, history


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--epochs", type=int, default=20)
    parser.add_argument("--out", type=Path, default=Path("."))
    args = parser.parse_args()
    model, history = train(args.epochs)
    args.out.mkdir(parents=True, exist_ok=True)
    (args.out / "model.pkl").write_bytes(pickle.dumps(model))
    final = history[-1]
    (args.out / "metrics.json").write_text(json.dumps({"final": final, "history": history}, indent=2))
    print(f"wrote {args.out / 'model.pkl'} (test_accuracy={final['test_accuracy']:.3f})")


if __name__ == "__main__":
    main()
