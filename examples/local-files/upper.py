#!/usr/bin/env python3
"""Coordinator stdio handler: upper-cases every string value of each JSON record."""
import json
import sys


def upper(value):
    if isinstance(value, str):
        return value.upper()
    if isinstance(value, list):
        return [upper(v) for v in value]
    if isinstance(value, dict):
        return {k: upper(v) for k, v in value.items()}
    return value


for line in sys.stdin:
    if line.strip():
        sys.stdout.write(json.dumps(upper(json.loads(line)), separators=(",", ":")) + "\n")
