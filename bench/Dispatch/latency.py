"""put-item -> sbatch latency: puts SAMPLES one-batch jobs (array mode, cat handler) one after another with boto3,
notes the time each put-item returned, and waits for the daemon's "Dispatched <job> ... as Slurm job" log line
(written right after sbatch returns, timestamps HH:MM:SS.fff in UTC). Prints p50/p99/max.
Usage: latency.py JOBS_TABLE BUCKET DAEMON_LOG PREFIX SAMPLES"""
import json
import re
import statistics
import sys
import time
from datetime import datetime, timezone

import boto3

table, bucket, log, prefix, samples = sys.argv[1], sys.argv[2], sys.argv[3], sys.argv[4], int(sys.argv[5])
client = boto3.client("dynamodb")


def dispatched_at(name, deadline):
    pattern = re.compile(r"^(\d\d:\d\d:\d\d\.\d{3}) .*Dispatched " + re.escape(name) + " batches")
    while time.time() < deadline:
        with open(log, encoding="utf-8", errors="replace") as f:
            for line in f:
                m = pattern.search(line)
                if m:
                    return m.group(1)
        time.sleep(0.05)
    return None


latencies = []
for i in range(samples):
    name = f"{prefix}-{i}"
    item = {"name": {"S": name}, "spec": {"M": {
        "input": {"M": {"uri": {"S": f"s3://{bucket}/in/one.jsonl"}}},
        "batching": {"M": {"maxRecords": {"N": "1"}}},
        "handler": {"M": {"command": {"L": [{"S": "cat"}]}}},
        "output": {"M": {"uri": {"S": f"s3://{bucket}/out/{name}/"}}},
        "dispatch": {"M": {"mode": {"S": "array"}}}}}}
    client.put_item(TableName=table, Item=item)
    put = datetime.now(timezone.utc)
    stamp = dispatched_at(name, time.time() + 120)
    if stamp is None:
        print(f"  {name}: no dispatch within 120 s")
        continue
    at = datetime.combine(put.date(), datetime.strptime(stamp, "%H:%M:%S.%f").time(), timezone.utc)
    latencies.append((at - put).total_seconds() * 1000)
if latencies:
    q = sorted(latencies)
    p = lambda f: q[min(len(q) - 1, int(round(f * (len(q) - 1))))]
    print(f"put-item -> sbatch latency over {len(q)} jobs: p50 {p(0.5):.0f} ms, p99 {p(0.99):.0f} ms, "
          f"max {q[-1]:.0f} ms, mean {statistics.mean(q):.0f} ms")
