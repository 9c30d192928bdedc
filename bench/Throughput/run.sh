#!/usr/bin/env bash
# Throughput benchmark of issue 18: N batches of 10 JSONL records, state on the emulator (moto), side by side in one run:
#   pilot-stream  pilot mode, W pilots, persistent Python handler (handler.mode: stream, examples/stream/handler.py)
#   pilot-stdio   pilot mode, W pilots, one Python process per batch (examples/local-files/upper.py)
#   *-s3          the same with the S3 data root (batches and results on moto) instead of file://
#   array-packed  array mode, dispatch.batchesPerTask P (default auto), the stream handler
#   baseline      hand-written: split -l 10 + sbatch --array + cat, the baseline the issue names
# Every AWS request of the daemon and the workers goes through bench/Throughput/count_proxy.py, which counts them by
# operation: requests per batch are counted, not estimated. Each run prints first claim -> last outcome (taskstats.py),
# put-item -> Succeeded, the requests per batch and the load average before and after.
# Usage: bench/Throughput/run.sh [N=1000] [W=2] [P=100] (P: batchesPerTask for array-packed, a number or auto)
#   MODES="pilot-stream pilot-stdio pilot-stream-s3 pilot-stdio-s3 array-packed baseline" selects parts.
set -euo pipefail
N="${1:-1000}"; W="${2:-2}"; P="${3:-100}"
MODES="${MODES:-pilot-stream pilot-stdio pilot-stream-s3 array-packed baseline}"
ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)"
cd "$ROOT"
ENV_FILE="${COORDINATOR_STACK_ENV:-$ROOT/localstack/.state/env}"
# shellcheck disable=SC1090
[[ -f "$ENV_FILE" ]] && . "$ENV_FILE"
: "${AWS_ENDPOINT_URL:?run localstack/up (or set COORDINATOR_STACK_ENV to its env file)}"
BIN="$ROOT/src/Reconciler/bin/Release/net10.0/coordinator"
dotnet build src/Reconciler -c Release -nologo -v:quiet -clp:NoSummary >/dev/null
WORK="$(mktemp -d /tmp/coord-tput-XXXXXX)"
SUFFIX="$(date +%s)$$"
UPSTREAM="$AWS_ENDPOINT_URL"
PROXY_PORT=$((30000 + RANDOM % 20000))
PROXY="http://127.0.0.1:$PROXY_PORT"
export COORDINATOR__JOBSTABLE="tput-jobs-$SUFFIX" COORDINATOR__TASKSTABLE="tput-tasks-$SUFFIX"
export COORDINATOR__LEASESTABLE="tput-leases-$SUFFIX" COORDINATOR__BUCKET="tput-$SUFFIX"
export COORDINATOR__SLURM__WORKEREXECUTABLE="$BIN" COORDINATOR__SLURM__LOGDIRECTORY="$WORK/logs"
export COORDINATOR__SLURM__MAXOUTSTANDINGTASKS=100000
export COORDINATOR__FILEROOTS__0="$WORK"
export COORDINATOR_DAEMON__TELEMETRY__PROMETHEUSENDPOINT=""
export AWS_PAGER=""
mkdir -p "$WORK/logs" "$WORK/data"
python3 "$ROOT/bench/Throughput/count_proxy.py" "$PROXY_PORT" "$UPSTREAM" & proxy=$!
sleep 0.5
cleanup() {
  [[ -n "${daemon:-}" ]] && kill "$daemon" 2>/dev/null && wait "$daemon" 2>/dev/null || true
  for j in $(squeue -h -o '%A %j' | awk '$2 ~ /^tput-/ {print $1}'); do scancel "$j"; done
  for t in "$COORDINATOR__JOBSTABLE" "$COORDINATOR__TASKSTABLE" "$COORDINATOR__LEASESTABLE"; do
    AWS_ENDPOINT_URL="$UPSTREAM" aws dynamodb delete-table --table-name "$t" >/dev/null 2>&1 || true
  done
  AWS_ENDPOINT_URL="$UPSTREAM" aws s3 rb --force "s3://$COORDINATOR__BUCKET" >/dev/null 2>&1 || true
  kill "$proxy" 2>/dev/null || true
  if [[ -n "${BENCH_KEEP_LOGS:-}" ]]; then mkdir -p "$BENCH_KEEP_LOGS" && cp -r "$WORK"/daemon-*.log "$WORK/logs" "$BENCH_KEEP_LOGS/"; fi
  rm -rf "$WORK"
}
trap cleanup EXIT
# The daemon and (through WorkerEnvironment, which copies AWS_ENDPOINT_URL) the workers talk to the proxy.
export AWS_ENDPOINT_URL="$PROXY"
"$BIN" init >/dev/null
python3 -c "import json
for i in range($N * 10): print(json.dumps({'id': i, 'text': 'record %d' % i}))" > "$WORK/input.jsonl"
aws s3 cp --no-progress "$WORK/input.jsonl" "s3://$COORDINATOR__BUCKET/in/input.jsonl" >/dev/null

start_daemon() { # data root
  [[ -n "${daemon:-}" ]] && { kill "$daemon"; wait "$daemon" 2>/dev/null || true; daemon=""; }
  COORDINATOR__DATAROOT="$1" "$BIN" daemon >"$WORK/daemon-$2.log" 2>&1 & daemon=$!
  sleep 3
}

counts() { curl -s "$PROXY/__counts"; }

run_job() { # name dispatch-mode handler-mode handler-path input-uri [batchesPerTask]
  local name="$1" mode="$2" hmode="$3" handler="$4" input="$5" pack="${6:-1}"
  cat > "$WORK/$name.json" <<JSON
{"name": {"S": "$name"}, "spec": {"M": {
  "input": {"M": {"uri": {"S": "$input"}}},
  "batching": {"M": {"maxRecords": {"N": "10"}}},
  "handler": {"M": {"command": {"L": [{"S": "python3"}, {"S": "$handler"}]}, "mode": {"S": "$hmode"}}},
  "output": {"M": {"uri": {"S": "s3://$COORDINATOR__BUCKET/out/$name/"}, "aggregate": {"S": "none"}}},
  "dispatch": {"M": {"mode": {"S": "$mode"}, "workers": {"N": "$W"}, "batchesPerTask": {$( [[ "$pack" == auto ]] && echo "\"S\": \"auto\"" || echo "\"N\": \"$pack\"" )}}},
  "slurm": {"M": {"maxConcurrent": {"N": "1000"}}}}}}
JSON
  echo "== $name: $mode, handler $hmode, input $input; load $(cut -d' ' -f1-3 /proc/loadavg)"
  curl -s -X POST "$PROXY/__reset" >/dev/null
  local start end phase
  start=$(date +%s.%N)
  aws dynamodb put-item --table-name "$COORDINATOR__JOBSTABLE" --item "file://$WORK/$name.json"
  while true; do
    phase=$(AWS_ENDPOINT_URL="$UPSTREAM" aws dynamodb get-item --table-name "$COORDINATOR__JOBSTABLE" --key "{\"name\":{\"S\":\"$name\"}}" \
      --query 'Item.status.M.phase.S' --output text)
    case "$phase" in Succeeded|Failed|Invalid|Cancelled) break ;; esac
    sleep 0.5
  done
  end=$(date +%s.%N)
  counts > "$WORK/$name.counts"
  python3 -c "s=$end-$start; print(f'  put-item -> $phase in {s:.1f} s = {$N/s:.1f} batches/s (partition, store, dispatch, aggregate)')"
  AWS_ENDPOINT_URL="$UPSTREAM" python3 "$ROOT/bench/Dispatch/taskstats.py" "$COORDINATOR__TASKSTABLE" "$name"
  python3 - "$WORK/$name.counts" "$N" <<'PY'
import json, sys
c, n = json.load(open(sys.argv[1])), int(sys.argv[2])
total = sum(c.values())
top = ", ".join(f"{k} {v}" for k, v in sorted(c.items(), key=lambda kv: -kv[1])[:8])
print(f"  AWS requests (daemon + workers, put-item to Succeeded): {total} = {total / n:.2f} per batch; {top}")
PY
  grep -h "done:" "$WORK"/logs/"$name"-*.out 2>/dev/null | sed 's/^.*done: /  pilot done: /' || true
  echo "  load after: $(cut -d' ' -f1-3 /proc/loadavg)"
}

baseline() {
  mkdir -p "$WORK/split" "$WORK/split-out"
  echo "== baseline: split -l 10 + sbatch --array + cat, $N batches; load $(cut -d' ' -f1-3 /proc/loadavg)"
  local start end id
  start=$(date +%s.%N)
  (cd "$WORK/split" && split -l 10 -a 6 -d "$WORK/input.jsonl" part-)
  id=$(printf '#!/bin/sh\ncat "%s/split/part-$(printf %%06d $SLURM_ARRAY_TASK_ID)" > "%s/split-out/$SLURM_ARRAY_TASK_ID"\n' "$WORK" "$WORK" \
    | sbatch --parsable --job-name="tput-baseline-$SUFFIX" --array="0-$((N - 1))%1000" --output=/dev/null)
  while [[ -n "$(squeue -h -j "$id" 2>/dev/null)" ]]; do sleep 0.5; done
  cat "$WORK"/split-out/* > "$WORK/baseline-output.jsonl"
  end=$(date +%s.%N)
  python3 -c "s=$end-$start; print(f'  baseline: {$N} batches in {s:.1f} s = {$N/s:.1f} batches/s')"
  echo "  load after: $(cut -d' ' -f1-3 /proc/loadavg)"
}

STREAM="$ROOT/examples/stream/handler.py"
STDIO="$ROOT/examples/local-files/upper.py"
echo "Throughput benchmark: $N batches of 10 JSONL records, pilots=$W, pack=$P ($(nproc) cores, $(sinfo -V)); counting proxy $PROXY -> $UPSTREAM"
current=""
for mode in $MODES; do
  case "$mode" in
    *-s3) root="s3://$COORDINATOR__BUCKET"; input="s3://$COORDINATOR__BUCKET/in/input.jsonl" ;;
    *) root="file://$WORK/data"; input="file://$WORK/input.jsonl" ;;
  esac
  if [[ "$mode" != baseline && "$root" != "$current" ]]; then start_daemon "$root" "$mode"; current="$root"; fi
  case "$mode" in
    pilot-stream|pilot-stream-s3) run_job "tput-$mode-$SUFFIX" pilot stream "$STREAM" "$input" ;;
    pilot-stdio|pilot-stdio-s3) run_job "tput-$mode-$SUFFIX" pilot stdio "$STDIO" "$input" ;;
    array-packed) run_job "tput-$mode-$SUFFIX" array stream "$STREAM" "$input" "$P" ;;
    baseline) baseline ;;
  esac
done
