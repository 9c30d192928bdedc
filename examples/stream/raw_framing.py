#!/usr/bin/env python3
"""Coordinator stream-mode handler (spec.handler.mode: stream) written against the framing itself, standard library only.

examples/stream/handler.py does the same with the Python helper (sdk/python), which is what a Python handler should
use; this file shows the framing for a handler in another language.

The worker starts this process once per worker slot and feeds it batch after batch on stdin; the framing is
documented in docs/runtime.md, "Stream mode". Per batch:

  worker -> handler   {"batch":3,"attempt":1,"records":10,"bytes":812,"rejects":"/tmp/…/rejects.jsonl"}\n
                      then exactly `bytes` bytes of the batch
  handler -> worker   {"batch":3,"attempt":1,"status":"ok","bytes":901}\n  then exactly `bytes` bytes of result,
                      then the end line "end 3\n"

A batch that cannot be processed is answered with "status":"failed" and a "message" (and "bytes":0); that fails only
this attempt, and the retry policy decides what comes next. stdout belongs to the framing: log to stderr (its tail is
kept per batch). End of stdin means no batch is left: exit 0.

Rejected records go to the file the header's "rejects" names (this example rejects none). This example does what
examples/local-files/upper.py does per record (upper-cases every string value), and loads its "model" once, at
start, which is what stream mode is for.
"""
import json
import sys
import time


def load_model():
    # Stands in for an expensive import or model load, paid once per slot instead of once per batch.
    started = time.monotonic()
    model = {"transform": str.upper}
    print(f"handler: model loaded in {1000 * (time.monotonic() - started):.1f} ms", file=sys.stderr, flush=True)
    return model


def transform(model, value):
    if isinstance(value, str):
        return model["transform"](value)
    if isinstance(value, list):
        return [transform(model, v) for v in value]
    if isinstance(value, dict):
        return {k: transform(model, v) for k, v in value.items()}
    return value


def process(model, batch_bytes):
    out = []
    for line in batch_bytes.decode("utf-8").splitlines():
        if line.strip():
            out.append(json.dumps(transform(model, json.loads(line)), separators=(",", ":")) + "\n")
    return "".join(out).encode("utf-8")


def read_exactly(stream, count):
    chunks, left = [], count
    while left > 0:
        chunk = stream.read(left)
        if not chunk:
            raise EOFError(f"stdin ended {left} bytes before the end of the batch")
        chunks.append(chunk)
        left -= len(chunk)
    return b"".join(chunks)


def answer(stdout, header, result):
    stdout.write(json.dumps(header, separators=(",", ":")).encode("utf-8") + b"\n")
    stdout.write(result)
    stdout.write(b"end %d\n" % header["batch"])
    stdout.flush()


def main():
    model = load_model()
    stdin, stdout = sys.stdin.buffer, sys.stdout.buffer
    while True:
        line = stdin.readline()
        if not line:
            return 0  # no batch left
        request = json.loads(line)
        batch, attempt = request["batch"], request["attempt"]
        data = read_exactly(stdin, request["bytes"])
        try:
            result = process(model, data)
        except Exception as e:  # a bad batch fails this attempt only; the process keeps serving
            print(f"handler: batch {batch} failed: {e!r}", file=sys.stderr, flush=True)
            answer(stdout, {"batch": batch, "attempt": attempt, "status": "failed", "message": str(e), "bytes": 0}, b"")
            continue
        answer(stdout, {"batch": batch, "attempt": attempt, "status": "ok", "bytes": len(result)}, result)


if __name__ == "__main__":
    sys.exit(main())
