"""The local S3 server against moto's server (what pipedeck used before), on this machine, in
the same run: start-up time, and PUT and GET throughput of 1 MiB and 64 MiB objects.

    python benchmarks/s3.py [--runs 5]

moto is installed into a temporary virtualenv for the comparison only (pipedeck does not
depend on it). Each figure is the median of ``--runs`` round trips through boto3, printed with
its ratio SeaweedFS / moto (start-up: below 1 is sooner; throughput: above 1 is faster).
"""

from __future__ import annotations

import argparse
import os
import socket
import statistics
import subprocess
import sys
import tempfile
import time
import venv
from pathlib import Path

REPO = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(REPO))
MIB = 1024 * 1024


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def wait_for(endpoint: str, proc: subprocess.Popen[bytes] | None = None) -> None:
    import urllib.error
    import urllib.request

    deadline = time.monotonic() + 60
    while time.monotonic() < deadline:
        try:
            urllib.request.urlopen(endpoint + "/", timeout=1)
            return
        except urllib.error.HTTPError:
            return
        except OSError:
            if proc is not None and proc.poll() is not None:
                raise SystemExit(f"the server at {endpoint} exited") from None
            time.sleep(0.02)
    raise SystemExit(f"{endpoint} did not answer")


def moto_python(folder: Path) -> Path:
    venv.EnvBuilder(with_pip=True).create(folder)
    python = folder / "bin" / "python"
    subprocess.run(
        [str(python), "-m", "pip", "install", "--quiet", "--disable-pip-version-check",
         "moto[server]>=5.1,<6"],
        check=True,
    )  # fmt: skip
    return python


def throughput(client: object, bucket: str, size: int, runs: int) -> tuple[float, float]:
    """Median MiB/s of PUT and of GET for objects of ``size`` bytes."""
    body = os.urandom(size)
    puts, gets = [], []
    for i in range(runs):
        key = f"bench/{size}/{i}"
        began = time.perf_counter()
        client.put_object(Bucket=bucket, Key=key, Body=body)  # type: ignore[attr-defined]
        puts.append(time.perf_counter() - began)
        began = time.perf_counter()
        got = client.get_object(Bucket=bucket, Key=key)["Body"].read()  # type: ignore[attr-defined]
        gets.append(time.perf_counter() - began)
        assert got == body
    mib = size / MIB
    return mib / statistics.median(puts), mib / statistics.median(gets)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--runs", type=int, default=5)
    args = parser.parse_args()
    import boto3

    from tui.core import config
    from tui.core.stack import s3

    work = Path(tempfile.mkdtemp(prefix="pipedeck-s3-bench-"))
    os.environ["XDG_STATE_HOME"] = str(work / "state")

    starts_weed, starts_moto = [], []
    port = free_port()
    settings = config.Settings(s3_port=port)
    for _ in range(args.runs):
        began = time.perf_counter()
        s3.start(settings)
        starts_weed.append(time.perf_counter() - began)
        s3.stop()

    print("installing moto[server] into a temporary virtualenv (for the comparison only)…")
    python = moto_python(work / "moto-venv")
    moto_port = free_port()
    for _ in range(args.runs):
        began = time.perf_counter()
        proc = subprocess.Popen(
            [str(python), "-m", "moto.server", "-H", "127.0.0.1", "-p", str(moto_port)],
            stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL,
        )
        wait_for(f"http://127.0.0.1:{moto_port}", proc)
        starts_moto.append(time.perf_counter() - began)
        proc.terminate()
        proc.wait(timeout=10)

    s3.start(settings)
    weed = s3.client(f"http://127.0.0.1:{port}")
    proc = subprocess.Popen(
        [str(python), "-m", "moto.server", "-H", "127.0.0.1", "-p", str(moto_port)],
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    try:
        wait_for(f"http://127.0.0.1:{moto_port}", proc)
        moto = boto3.client(
            "s3",
            endpoint_url=f"http://127.0.0.1:{moto_port}",
            aws_access_key_id="test",
            aws_secret_access_key="test",  # moto takes any credentials
            region_name="us-east-1",
        )
        moto.create_bucket(Bucket="bench")
        weed.create_bucket(Bucket="bench")
        weed_start, moto_start = statistics.median(starts_weed), statistics.median(starts_moto)
        print(f"{args.runs} runs each, medians; ratio = SeaweedFS / moto")
        print(
            f"start-up (until S3 answers)  SeaweedFS {weed_start:6.2f} s   moto"
            f" {moto_start:6.2f} s   ratio {weed_start / moto_start:.2f}"
        )
        for size in (MIB, 64 * MIB):
            w_put, w_get = throughput(weed, "bench", size, args.runs)
            m_put, m_get = throughput(moto, "bench", size, args.runs)
            label = f"{size // MIB} MiB"
            print(
                f"PUT {label:>7}  SeaweedFS {w_put:7.1f} MiB/s   moto {m_put:7.1f} MiB/s"
                f"   ratio {w_put / m_put:.2f}"
            )
            print(
                f"GET {label:>7}  SeaweedFS {w_get:7.1f} MiB/s   moto {m_get:7.1f} MiB/s"
                f"   ratio {w_get / m_get:.2f}"
            )
    finally:
        proc.terminate()
        proc.wait(timeout=10)
        s3.stop()


if __name__ == "__main__":
    main()
