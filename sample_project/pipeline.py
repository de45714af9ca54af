"""The sample's Kubeflow pipeline (KFP v2): preprocess → train → evaluate → deploy, and a drift
check whose result decides (dsl.If) whether to retrain.

The data is the version DVC tracks: preprocess reads the file that ``data/iris.csv.dvc`` pins
(its md5) from the DVC remote that ``.dvc/config`` names, as ``dvc pull`` would, so the same
pipeline runs in a subprocess, in a container or on a cluster; ``--param data_md5=…`` runs an
older version. The model artifact records the version (``data_md5``), beside its metrics.

Run it locally:  pipedeck up && pipedeck run pipeline pipeline.py
With drift:      pipedeck run pipeline pipeline.py --param live_shift=1.5
Compile it:      pipedeck compile pipeline.py -o ml_pipeline.yaml
"""

import configparser
from pathlib import Path

import yaml
from kfp import dsl
from kfp.dsl import ClassificationMetrics, Dataset, Input, Metrics, Model, Output

HERE = Path(__file__).resolve().parent
PACKAGES = ["scikit-learn"]
# boto3 >= 1.28 reads AWS_ENDPOINT_URL, as DVC's S3 remote does: locally, the S3 server
DATA_PACKAGES = [*PACKAGES, "boto3>=1.28"]
# The deploy task starts serve.py; its source travels with the task, so the same pipeline
# runs in a subprocess, in a container or on a cluster.
SERVE_SOURCE = (HERE / "serve.py").read_text()


def dvc_remote_url(project: Path = HERE) -> str:
    """The URL of the DVC project's default remote (``.dvc/config``, then ``config.local``)."""
    config = configparser.ConfigParser()
    config.read([project / ".dvc" / "config", project / ".dvc" / "config.local"])
    name = config.get("core", "remote")
    return config.get(f"'remote \"{name}\"'", "url")


def dvc_tracked_md5(dvc_file: Path = HERE / "data" / "iris.csv.dvc") -> str:
    """The md5 a ``.dvc`` file pins (DVC 3: the md5 of the file's bytes)."""
    (out,) = yaml.safe_load(dvc_file.read_text())["outs"]
    return str(out["md5"])


@dsl.component(base_image="python:3.11", packages_to_install=DATA_PACKAGES)
def preprocess(
    data_remote: str,
    data_md5: str,
    seed: int,
    train_data: Output[Dataset],
    test_data: Output[Dataset],
) -> int:
    """Read data version ``data_md5`` from the DVC remote (DVC 3 keeps a file at
    ``<remote>/files/md5/<2 hex digits>/<the other 30>``), check its md5, split it into train
    and test (stratified 70/30)."""
    import csv
    import hashlib
    import io

    import boto3
    import numpy as np
    from botocore.exceptions import BotoCoreError, ClientError
    from sklearn.model_selection import train_test_split

    bucket, _, prefix = data_remote.removeprefix("s3://").partition("/")
    key = "/".join(p for p in (prefix.strip("/"), "files/md5", data_md5[:2], data_md5[2:]) if p)
    try:
        body = boto3.client("s3").get_object(Bucket=bucket, Key=key)["Body"].read()
    except (BotoCoreError, ClientError) as exc:
        raise RuntimeError(
            f"data version {data_md5} is not readable in the DVC remote {data_remote} ({exc});"
            " `dvc push` puts it there (locally, `pipedeck up` pushes the sample's)"
        ) from None
    if hashlib.md5(body).hexdigest() != data_md5:
        raise RuntimeError(f"s3://{bucket}/{key} does not hold data version {data_md5}")
    rows = list(csv.DictReader(io.StringIO(body.decode())))
    names = ["sepal_length", "sepal_width", "petal_length", "petal_width"]
    species = ["setosa", "versicolor", "virginica"]
    features = np.array([[float(row[name]) for name in names] for row in rows])
    labels = np.array([species.index(row["species"]) for row in rows])
    x_train, x_test, y_train, y_test = train_test_split(
        features, labels, test_size=0.3, random_state=seed, stratify=labels
    )
    np.savetxt(train_data.path, np.column_stack([x_train, y_train]), delimiter=",")
    np.savetxt(test_data.path, np.column_stack([x_test, y_test]), delimiter=",")
    for split, count in ((train_data, len(x_train)), (test_data, len(x_test))):
        split.metadata.update(rows=count, data_md5=data_md5, data_remote=data_remote)
    print(f"data: md5 {data_md5} from the DVC remote {data_remote} ({len(rows)} rows)")
    print(f"train rows: {len(x_train)}, test rows: {len(x_test)}")
    return len(x_train)


@dsl.component(base_image="python:3.11", packages_to_install=PACKAGES)
def train(
    train_data: Input[Dataset], epochs: int, seed: int, model: Output[Model], metrics: Output[Metrics]
) -> float:
    """Fit a linear classifier epoch by epoch, reporting accuracy per epoch."""
    import pickle

    import numpy as np
    from sklearn.linear_model import SGDClassifier

    table = np.loadtxt(train_data.path, delimiter=",")
    x, y = table[:, :-1], table[:, -1].astype(int)
    classifier = SGDClassifier(loss="log_loss", random_state=seed)
    accuracy = 0.0
    for epoch in range(1, epochs + 1):
        classifier.partial_fit(x, y, classes=np.unique(y))
        accuracy = float(classifier.score(x, y))
        print(f"::metric name=train_accuracy,step={epoch}::{accuracy:.4f}")
    with open(model.path, "wb") as fh:
        pickle.dump(classifier, fh)
    model.metadata["framework"] = "scikit-learn"
    model.metadata["epochs"] = epochs
    # the data version travels with the model and sits beside its metrics
    data_md5 = str(train_data.metadata.get("data_md5", ""))
    model.metadata["data_md5"] = data_md5
    metrics.log_metric("train_accuracy", accuracy)
    metrics.metadata["data_md5"] = data_md5
    print(f"trained for {epochs} epochs: train accuracy {accuracy:.3f}")
    return accuracy


@dsl.component(base_image="python:3.11", packages_to_install=PACKAGES)
def evaluate(
    model: Input[Model],
    test_data: Input[Dataset],
    metrics: Output[Metrics],
    confusion: Output[ClassificationMetrics],
) -> float:
    """Accuracy and the confusion matrix on the held-out split."""
    import pickle

    import numpy as np
    from sklearn.metrics import confusion_matrix

    with open(model.path, "rb") as fh:
        classifier = pickle.load(fh)
    table = np.loadtxt(test_data.path, delimiter=",")
    x, y = table[:, :-1], table[:, -1].astype(int)
    predicted = classifier.predict(x)
    accuracy = float((predicted == y).mean())
    metrics.log_metric("test_accuracy", accuracy)
    confusion.log_confusion_matrix(
        ["setosa", "versicolor", "virginica"], confusion_matrix(y, predicted).tolist()
    )
    print(f"test accuracy {accuracy:.3f}")
    return accuracy


@dsl.component(base_image="python:3.11", packages_to_install=PACKAGES)
def deploy(model: Input[Model], server_source: str) -> str:
    """Start serve.py on the model (127.0.0.1, a free port), check /health and /predict answer,
    then stop it: a smoke deployment of the REST endpoint."""
    import json
    import subprocess
    import sys
    import tempfile
    import time
    import urllib.request
    from pathlib import Path

    script = Path(tempfile.mkdtemp()) / "serve.py"
    script.write_text(server_source)
    server = subprocess.Popen(
        [sys.executable, "-u", str(script), "--model", model.path, "--port", "0"],
        stdout=subprocess.PIPE,
        text=True,
    )
    try:
        first = server.stdout.readline().strip() if server.stdout else ""
        print(first)
        url = first.rsplit(" on ", 1)[-1]
        deadline = time.monotonic() + 30
        while True:
            try:
                with urllib.request.urlopen(f"{url}/health", timeout=2) as response:
                    print("GET /health ->", response.read().decode())
                    break
            except OSError:
                if time.monotonic() > deadline:
                    raise
                time.sleep(0.2)
        body = json.dumps({"instances": [[5.1, 3.5, 1.4, 0.2], [6.7, 3.0, 5.2, 2.3]]}).encode()
        request = urllib.request.Request(
            f"{url}/predict", data=body, headers={"Content-Type": "application/json"}
        )
        with urllib.request.urlopen(request, timeout=5) as response:
            answer = json.loads(response.read())
        print("POST /predict ->", answer)
        if len(answer.get("predictions", [])) != 2:
            raise RuntimeError(f"/predict answered {answer}")
        return url
    finally:
        server.terminate()
        server.wait(timeout=10)


@dsl.component(base_image="python:3.11", packages_to_install=PACKAGES)
def drift_check(reference: Input[Dataset], live_shift: float, seed: int, metrics: Output[Metrics]) -> float:
    """Compare a batch of live inputs with the training distribution: the largest
    standardised difference of feature means (live inputs are simulated: reference rows
    resampled, plus ``live_shift`` standard deviations)."""
    import numpy as np

    table = np.loadtxt(reference.path, delimiter=",")
    features = table[:, :-1]
    mean, std = features.mean(axis=0), features.std(axis=0)
    rng = np.random.default_rng(seed)
    live = features[rng.integers(0, len(features), size=64)] + live_shift * std
    drift = float(np.max(np.abs(live.mean(axis=0) - mean) / std))
    metrics.log_metric("drift", drift)
    print(f"drift score {drift:.3f} over {len(live)} live inputs")
    return drift


@dsl.component(base_image="python:3.11")
def report_no_drift(drift: float, threshold: float) -> str:
    message = f"drift {drift:.3f} <= {threshold}: the deployed model stays"
    print(message)
    return message


@dsl.pipeline(name="iris-ml-pipeline", description="preprocess, train, evaluate, deploy; retrain on drift")
def ml_pipeline(
    epochs: int = 20,
    seed: int = 0,
    live_shift: float = 0.0,
    drift_threshold: float = 0.5,
    retrain_epochs: int = 40,
    data_md5: str = dvc_tracked_md5(),
    data_remote: str = dvc_remote_url(),
) -> None:
    data = preprocess(data_remote=data_remote, data_md5=data_md5, seed=seed)
    trained = train(train_data=data.outputs["train_data"], epochs=epochs, seed=seed)
    evaluated = evaluate(model=trained.outputs["model"], test_data=data.outputs["test_data"])
    deploy(model=trained.outputs["model"], server_source=SERVE_SOURCE).after(evaluated)
    drift = drift_check(reference=data.outputs["train_data"], live_shift=live_shift, seed=seed)
    with dsl.If(drift.outputs["Output"] > drift_threshold, name="drift-detected"):
        retrained = train(train_data=data.outputs["train_data"], epochs=retrain_epochs, seed=seed)
        retrained.set_display_name("retrain")
    with dsl.Else(name="no-drift"):
        report_no_drift(drift=drift.outputs["Output"], threshold=drift_threshold)
