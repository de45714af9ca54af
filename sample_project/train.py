"""Train an iris classifier on the DVC-tracked data set; report metrics per epoch; write
model.pkl and metrics.json.

The data is ``data/iris.csv``, versioned with DVC: git holds ``data/iris.csv.dvc`` (its md5),
the DVC remote (``.dvc/config``) holds the bytes, and ``dvc pull`` brings them. The md5 of
what the model was trained on is its data version: printed, kept in metrics.json and, in a
workflow, handed to later steps as the step output ``data-md5``.
"""

from __future__ import annotations

import argparse
import csv
import hashlib
import json
import os
import pickle
import re
from pathlib import Path

import numpy as np
from sklearn.linear_model import SGDClassifier
from sklearn.model_selection import train_test_split

DATA = Path(__file__).resolve().with_name("data") / "iris.csv"
FEATURES = ("sepal_length", "sepal_width", "petal_length", "petal_width")
SPECIES = ("setosa", "versicolor", "virginica")  # label i is SPECIES[i]


def data_md5(path: Path = DATA) -> str:
    """The data version: the md5 of the file's bytes (what DVC 3 records in its .dvc file)."""
    if not path.is_file():
        raise SystemExit(f"{path} is missing: `dvc pull` fetches it from the DVC remote")
    return hashlib.md5(path.read_bytes()).hexdigest()


def tracked_md5(path: Path = DATA) -> str | None:
    """The md5 that ``<path>.dvc`` pins (None when the file is not tracked by DVC)."""
    dvc_file = path.with_name(path.name + ".dvc")
    found = re.search(r"md5: ([0-9a-f]{32})\b", dvc_file.read_text()) if dvc_file.is_file() else None
    return found.group(1) if found else None


def load_table(path: Path = DATA) -> tuple[np.ndarray, np.ndarray]:
    """Features (4 columns) and integer labels from the CSV (header, species by name)."""
    with path.open(newline="") as fh:
        rows = list(csv.DictReader(fh))
    features = np.array([[float(r[name]) for name in FEATURES] for r in rows])
    labels = np.array([SPECIES.index(r["species"]) for r in rows])
    return features, labels


def load_data(seed: int = 0, path: Path = DATA) -> list[np.ndarray]:
    """x_train, x_test, y_train, y_test: a stratified 70/30 split."""
    features, labels = load_table(path)
    return train_test_split(features, labels, test_size=0.3, random_state=seed, stratify=labels)


def train(
    epochs: int = 20, seed: int = 0, path: Path = DATA
) -> tuple[SGDClassifier, list[dict[str, float]]]:
    """Fit epoch by epoch; return the model and one metrics row per epoch."""
    x_train, x_test, y_train, y_test = load_data(seed, path)
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


def report_data_version(path: Path) -> str:
    """Print the data version (and whether it is the one DVC tracks); hand it on."""
    md5 = data_md5(path)
    tracked = tracked_md5(path)
    try:
        name = path.resolve().relative_to(Path.cwd().resolve())
    except ValueError:
        name = path
    if tracked == md5:
        print(f"data: {name} md5 {md5} (the version {name}.dvc tracks)", flush=True)
    elif tracked is None:
        print(f"data: {name} md5 {md5} (not tracked by DVC)", flush=True)
    else:
        print(
            f"data: {name} md5 {md5}, but {name}.dvc tracks {tracked}:"
            f" `dvc add {name}` versions this one, `dvc checkout` restores that one",
            flush=True,
        )
    output = os.environ.get("GITHUB_OUTPUT")  # a workflow step: later steps read it
    if output:
        with open(output, "a") as fh:
            fh.write(f"data-md5={md5}\n")
    return md5


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--epochs", type=int, default=20)
    parser.add_argument("--data", type=Path, default=DATA)
    parser.add_argument("--out", type=Path, default=Path("."))
    args = parser.parse_args()
    md5 = report_data_version(args.data)
    model, history = train(args.epochs, path=args.data)
    args.out.mkdir(parents=True, exist_ok=True)
    (args.out / "model.pkl").write_bytes(pickle.dumps(model))
    final = history[-1]
    data = {"path": str(args.data), "md5": md5}
    report = {"final": final, "history": history, "data": data}
    (args.out / "metrics.json").write_text(json.dumps(report, indent=2))
    print(
        f"wrote {args.out / 'model.pkl'} (test_accuracy={final['test_accuracy']:.3f},"
        f" data md5 {md5})"
    )


if __name__ == "__main__":
    main()
