"""A small REST model server for model.pkl.

    GET  /health   -> {"status": "ok"}
    POST /predict  {"instances": [[5.1, 3.5, 1.4, 0.2], ...]} -> {"predictions": [0, ...]}

Run: python serve.py --model model.pkl --port 8000 (binds 127.0.0.1 unless --host says else).
"""

from __future__ import annotations

import argparse
import json
import pickle
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any


def make_handler(model: Any) -> type[BaseHTTPRequestHandler]:
    class Handler(BaseHTTPRequestHandler):
        def _reply(self, code: int, body: dict) -> None:
            data = json.dumps(body).encode()
            self.send_response(code)
            self.send_header("Content-Type", "application/json")
            self.send_header("Content-Length", str(len(data)))
            self.end_headers()
            self.wfile.write(data)

        def do_GET(self) -> None:  # noqa: N802 - http.server's naming
            if self.path == "/health":
                self._reply(200, {"status": "ok"})
            else:
                self._reply(404, {"error": f"no route {self.path}"})

        def do_POST(self) -> None:  # noqa: N802
            if self.path != "/predict":
                self._reply(404, {"error": f"no route {self.path}"})
                return
            try:
                length = int(self.headers.get("Content-Length", "0"))
                instances = json.loads(self.rfile.read(length))["instances"]
                predictions = [int(p) for p in model.predict(instances)]
            except (ValueError, KeyError, TypeError) as exc:
                self._reply(400, {"error": f"bad request: {exc}"})
                return
            self._reply(200, {"predictions": predictions})

        def log_message(self, format: str, *args: Any) -> None:  # noqa: A002
            print(f"serve: {self.address_string()} {format % args}", flush=True)

    return Handler


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--model", type=Path, default=Path("model.pkl"))
    parser.add_argument("--host", default="127.0.0.1")
    parser.add_argument("--port", type=int, default=8000)
    args = parser.parse_args()
    model = pickle.loads(args.model.read_bytes())
    server = ThreadingHTTPServer((args.host, args.port), make_handler(model))
    print(f"serving {args.model} on http://{args.host}:{server.server_port}", flush=True)
    try:
        server.serve_forever()
    except KeyboardInterrupt:
        pass
    finally:
        server.server_close()


if __name__ == "__main__":
    main()
