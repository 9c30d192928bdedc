#!/usr/bin/env python3
"""Coordinator stdio handler: one JSON record per line in, one result per line out.

Input records look like {"id": 7, "text": "the quick brown fox"}; each result is
{"id": 7, "words": 4, "counts": {"the": 1, ...}}. A malformed line is a handler
failure (exit 42, which the job's retry rules treat as FailJob: retrying cannot fix bad data).
"""
import collections
import json
import os
import sys


def main() -> int:
    lowercase = os.environ.get("LOWERCASE", "0") == "1"
    out = sys.stdout
    for number, line in enumerate(sys.stdin, start=1):
        if not line.strip():
            continue
        try:
            record = json.loads(line)
        except json.JSONDecodeError as error:
            print(f"line {number}: not JSON: {error}", file=sys.stderr)
            return 42
        text = record.get("text", "")
        if lowercase:
            text = text.lower()
        words = text.split()
        result = {"id": record.get("id"), "words": len(words), "counts": dict(collections.Counter(words))}
        out.write(json.dumps(result, separators=(",", ":")) + "\n")
    return 0


if __name__ == "__main__":
    sys.exit(main())
