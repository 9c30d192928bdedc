#!/usr/bin/env bash
# Dispatch benchmark: N tiny batches (one record each) with a `cat` handler, run side by side in one run:
#   pilot mode (W workers), array mode (one Slurm array task per batch), and a hand-written baseline
#   (split -l 1, sbatch --array, cat). Each is timed from submission to the last batch done, through the real
#   daemon, the real Slurm and moto; pilot and array mode also print their dispatch phase alone (first claim to last
#   outcome, from the task items) and the pilots' mean worker overhead per batch beyond the handler's own time.
#   Then put-item -> sbatch latency (p50/p99) over L one-batch jobs.
# Usage: bench/Dispatch/run.sh [N=1000] [W=2] [N_SLURM=N] [L=20]
#   N_SLURM: batches for array mode and the baseline, which Slurm runs at ~3.5 tasks/s on this machine (10,000 would
#   take ~50 min each); the figures say which N each mode ran. MODES="pilot array baseline latency" selects parts.
#   BENCH_KEEP_LOGS=DIR keeps the daemon's and the workers' logs there.
set -euo pipefail
N="${1:-1000}"; W="${2:-2}"; N_SLURM="${3:-$N}"; L="${4:-20}"
MODES="${MODES:-pilot array baseline latency}"
ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)"
cd "$ROOT"
ENV_FILE="${COORDINATOR_STACK_ENV:-$ROOT/localstack/.state/env}"
# shellcheck disable=SC1090
[[ -f "$ENV_FILE" ]] && . "$ENV_FILE"
: "${AWS_ENDPOINT_URL:?run localstack/up (or set COORDINATOR_STACK_ENV to its env file)}"
BIN="$ROOT/src/Reconciler/bin/Release/net10.0/coordinator"
dotnet build src/Reconciler -c Release -nologo -v:quiet -clp:NoSummary >/dev/null
WORK="$(mktemp -d /tmp/coord-bench-XXXXXX)"
SUFFIX="$(date +%s)$$"
export COORDINATOR__JOBSTABLE="bench-jobs-$SUFFIX" COORDINATOR__TASKSTABLE="bench-tasks-$SUFFIX"
export COORDINATOR__LEASESTABLE="bench-leases-$SUFFIX" COORDINATOR__BUCKET="bench-$SUFFIX"
export COORDINATOR__SLURM__WORKEREXECUTABLE="$BIN" COORDINATOR__SLURM__LOGDIRECTORY="$WORK/logs"
export COORDINATOR__SLURM__MAXOUTSTANDINGTASKS=100000
export COORDINATOR_DAEMON__TELEMETRY__PROMETHEUSENDPOINT="http://127.0.0.1:$((20000 + RANDOM % 20000))/"
export AWS_PAGER=""
mkdir -p "$WORK/logs"
cleanup() {
  [[ -n "${daemon:-}" ]] && kill "$daemon" 2>/dev/null && wait "$daemon" 2>/dev/null || true
  for j in $(squeue -h -o '%A %j' | awk '$2 ~ /^bench-/ {print $1}'); do scancel "$j"; done
  for t in "$COORDINATOR__JOBSTABLE" "$COORDINATOR__TASKSTABLE" "$COORDINATOR__LEASESTABLE"; do
    aws dynamodb delete-table --table-name "$t" >/dev/null 2>&1 || true
  done
  aws s3 rb --force "s3://$COORDINATOR__BUCKET" >/dev/null 2>&1 || true
  if [[ -n "${BENCH_KEEP_LOGS:-}" ]]; then mkdir -p "$BENCH_KEEP_LOGS" && cp -r "$WORK/daemon.log" "$WORK/logs" "$BENCH_KEEP_LOGS/"; fi
  rm -rf "$WORK"
}
trap cleanup EXIT
"$BIN" init >/dev/null
"$BIN" daemon >"$WORK/daemon.log" 2>&1 & daemon=$!
for n in "$N" "$N_SLURM" 1; do
  python3 -c "import json
for i in range($n): print(json.dumps({'id': i}))" > "$WORK/input-$n.jsonl"
  aws s3 cp --no-progress "$WORK/input-$n.jsonl" "s3://$COORDINATOR__BUCKET/in/input-$n.jsonl" >/dev/null
done
aws s3 cp --no-progress "$WORK/input-1.jsonl" "s3://$COORDINATOR__BUCKET/in/one.jsonl" >/dev/null

run_job() { # name mode batches
  local name="$1" mode="$2" n="$3"
  cat > "$WORK/$name.json" <<JSON
{"name": {"S": "$name"}, "spec": {"M": {
  "input": {"M": {"uri": {"S": "s3://$COORDINATOR__BUCKET/in/input-$n.jsonl"}}},
  "batching": {"M": {"maxRecords": {"N": "1"}}},
  "handler": {"M": {"command": {"L": [{"S": "cat"}]}}},
  "output": {"M": {"uri": {"S": "s3://$COORDINATOR__BUCKET/out/$name/"}}},
  "dispatch": {"M": {"mode": {"S": "$mode"}, "workers": {"N": "$W"}}},
  "slurm": {"M": {"maxConcurrent": {"N": "1000"}}}}}}
JSON
  local start end phase
  start=$(date +%s.%N)
  aws dynamodb put-item --table-name "$COORDINATOR__JOBSTABLE" --item "file://$WORK/$name.json"
  while true; do
    phase=$(aws dynamodb get-item --table-name "$COORDINATOR__JOBSTABLE" --key "{\"name\":{\"S\":\"$name\"}}" \
      --query 'Item.status.M.phase.S' --output text)
    case "$phase" in Succeeded|Failed|Invalid|Cancelled) break ;; esac
    sleep 0.5
  done
  end=$(date +%s.%N)
  python3 -c "import sys; s=$end-$start; print(f'%-8s mode: {$n} batches put-item -> $phase in {s:.1f} s = {$n/s:.1f} batches/s (partition, store, dispatch, aggregate)' % ('$mode', ))"
  python3 "$ROOT/bench/Dispatch/taskstats.py" "$COORDINATOR__TASKSTABLE" "$name"
  if [[ "$mode" == pilot ]]; then
    grep -h "done:" "$WORK"/logs/"$name"-*.out 2>/dev/null | sed 's/^/  /' || true
  fi
}

baseline() {
  local n="$N_SLURM"
  mkdir -p "$WORK/split" "$WORK/split-out"
  local start end
  start=$(date +%s.%N)
  (cd "$WORK/split" && split -l 1 -a 6 -d "$WORK/input-$n.jsonl" part-)
  local id
  id=$(printf '#!/bin/sh\ncat "%s/split/part-$(printf %%06d $SLURM_ARRAY_TASK_ID)" > "%s/split-out/$SLURM_ARRAY_TASK_ID"\n' "$WORK" "$WORK" \
    | sbatch --parsable --job-name="bench-baseline-$SUFFIX" --array="0-$((n - 1))%1000" --output=/dev/null)
  while [[ -n "$(squeue -h -j "$id" 2>/dev/null)" ]]; do sleep 0.5; done
  cat "$WORK"/split-out/* > "$WORK/baseline-output.jsonl"
  end=$(date +%s.%N)
  python3 -c "s=$end-$start; print(f'baseline (split + sbatch --array + cat): {$n} batches in {s:.1f} s = {$n/s:.1f} batches/s')"
}

echo "Dispatch benchmark: pilot $N, array/baseline $N_SLURM one-record batches, cat handler, pilot workers=$W" \
  "($(nproc) cores, $(sinfo -V)); load: $(cut -d' ' -f1-3 /proc/loadavg)"
for mode in $MODES; do
  case "$mode" in
    pilot) run_job "bench-pilot-$SUFFIX" pilot "$N" ;;
    array) run_job "bench-array-$SUFFIX" array "$N_SLURM" ;;
    baseline) baseline ;;
    latency) python3 "$ROOT/bench/Dispatch/latency.py" "$COORDINATOR__JOBSTABLE" "$COORDINATOR__BUCKET" "$WORK/daemon.log" \
      "bench-lat-$SUFFIX" "$L" ;;
  esac
  echo "  (load after $mode: $(cut -d' ' -f1-3 /proc/loadavg))"
done
