#!/usr/bin/env python3
"""Coordinator stream-mode handler (spec.handler.mode: stream), written with the Python helper (sdk/python).

The worker starts this process once per worker slot and feeds it batch after batch; the helper does the framing
(docs/runtime.md, "Stream mode"), so the function below is the same one a stdio handler would have. What is loaded
at import (here a stand-in "model") is paid once per slot, not once per batch: that is what stream mode is for.

Every string value of a record is upper-cased. A record that is not an object is rejected (it goes to
failed-records.jsonl beside the job's output); the batch still succeeds. examples/stream/raw_framing.py is the same
handler written against the framing itself, for authors in other languages.
"""
import os
import sys
import time

try:
    from coordinator_handler import handler, Reject, log
except ImportError:  # a checkout without `pip install ./sdk/python`: use the helper next to this example
    sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "..", "sdk", "python"))
    from coordinator_handler import handler, Reject, log


def load_model():
    # Stands in for an expensive import or model load.
    started = time.monotonic()
    model = {"transform": str.upper}
    print(f"handler: model loaded in {1000 * (time.monotonic() - started):.1f} ms", file=sys.stderr, flush=True)
    return model


MODEL = load_model()


def transform(value):
    if isinstance(value, str):
        return MODEL["transform"](value)
    if isinstance(value, list):
        return [transform(v) for v in value]
    if isinstance(value, dict):
        return {k: transform(v) for k, v in value.items()}
    return value


@handler
def upper(record):
    if not isinstance(record, dict):
        raise Reject(f"expected a JSON object, got {type(record).__name__}")
    return transform(record)


if __name__ == "__main__":
    log.debug("stream handler started")
    upper.run()
