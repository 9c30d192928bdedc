"""Reads a job's task items (DynamoDB, endpoint from AWS_ENDPOINT_URL) and prints the dispatch phase of the run:
how many batches succeeded, the first claim and the last outcome, and batches/s between them.
Usage: taskstats.py TASKS_TABLE JOB_NAME"""
import sys
from datetime import datetime

import boto3

table, job = sys.argv[1], sys.argv[2]
client = boto3.client("dynamodb")
starts, ends, states = [], [], {}
kwargs = {"TableName": table, "KeyConditionExpression": "#j = :j",
          "ExpressionAttributeNames": {"#j": "job"}, "ExpressionAttributeValues": {":j": {"S": job}}}
while True:
    page = client.query(**kwargs)
    for item in page["Items"]:
        state = item.get("state", {}).get("S", "?")
        states[state] = states.get(state, 0) + 1
        if "startedAt" in item:
            starts.append(datetime.fromisoformat(item["startedAt"]["S"]))
        if "finishedAt" in item:
            ends.append(datetime.fromisoformat(item["finishedAt"]["S"]))
    if "LastEvaluatedKey" not in page:
        break
    kwargs["ExclusiveStartKey"] = page["LastEvaluatedKey"]
if not starts or not ends:
    print(f"  tasks: {states} (no timings)")
    sys.exit(0)
span = (max(ends) - min(starts)).total_seconds()
done = states.get("Succeeded", 0)
print(f"  tasks: {states}; first claim {min(starts):%H:%M:%S.%f} -> last outcome {max(ends):%H:%M:%S.%f}: "
      f"{done} batches in {span:.1f} s = {done / max(span, 1e-3):.1f} batches/s (dispatch phase only)")
