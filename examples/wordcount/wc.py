#!/usr/bin/env python3
"""Coordinator stdio handler, written with the Python helper (sdk/python): one JSON record in, one result out.

Input records look like {"id": 7, "text": "the quick brown fox"}; each result is
{"id": 7, "words": 4, "counts": {"the": 1, ...}}. A line that is not JSON is rejected (it goes to
$COORDINATOR_REJECTS and so to failed-records.jsonl beside the job's output); the batch still succeeds.
"""
import collections
import os
import sys

try:
    from coordinator_handler import handler
except ImportError:  # a checkout without `pip install ./sdk/python`: use the helper next to this example
    sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "..", "sdk", "python"))
    from coordinator_handler import handler

LOWERCASE = os.environ.get("LOWERCASE", "0") == "1"


@handler
def wordcount(record):
    text = record.get("text", "")
    if LOWERCASE:
        text = text.lower()
    words = text.split()
    return {"id": record.get("id"), "words": len(words), "counts": dict(collections.Counter(words))}


if __name__ == "__main__":
    wordcount.run()
