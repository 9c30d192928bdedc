# shellcheck shell=bash
# Shared helpers for localstack/up and localstack/down. Sourced, never executed.
# Every process we start gets a pid file under $STATE_DIR, and `down` stops only those: other engineers (and the
# lead's moto server) may run the same services on this machine, and we must never touch theirs.

LOCALSTACK_DIR="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
STATE_DIR="${COORDINATOR_STACK_STATE:-$LOCALSTACK_DIR/.state}"
ENV_FILE="$STATE_DIR/env"

log()  { printf '[localstack] %s\n' "$*" >&2; }
warn() { printf '[localstack] WARNING: %s\n' "$*" >&2; }
die()  { printf '[localstack] ERROR: %s\n' "$*" >&2; exit 1; }

# Process names (/proc/PID/comm) of what we start, by pid file name, so a pid reused after a reboot or a crash by
# an unrelated process is never mistaken for ours (and never signalled by down).
expected_comm() {
  case "$(basename "$1")" in
    munged.pid) echo munged ;;
    slurmctld.pid) echo slurmctld ;;
    slurmd.pid) echo slurmd ;;
    dynamodb-local.pid) echo java ;;
    moto_server.pid) echo moto_server ;;
    *) echo "" ;;
  esac
}

# pid_alive FILE: true when FILE names a running process that is the one we started.
pid_alive() {
  local file="$1" pid comm
  [[ -s "$file" ]] || return 1
  pid="$(tr -dc '0-9' < "$file")"
  [[ -n "$pid" ]] && kill -0 "$pid" 2>/dev/null || return 1
  comm="$(expected_comm "$file")"
  [[ -z "$comm" || "$(cat "/proc/$pid/comm" 2>/dev/null)" == "$comm" ]]
}

# wait_until SECONDS DESCRIPTION COMMAND...: polls COMMAND every 0.2 s until it succeeds or time runs out.
wait_until() {
  local timeout="$1" what="$2"; shift 2
  local deadline=$((SECONDS + timeout))
  until "$@" >/dev/null 2>&1; do
    if (( SECONDS >= deadline )); then
      return 1
    fi
    sleep 0.2
  done
  log "$what: ready"
}

# stop_pidfile FILE NAME: SIGTERM the process in FILE, wait up to 10 s, then SIGKILL; removes the file.
stop_pidfile() {
  local file="$1" name="$2" pid
  if ! pid_alive "$file"; then
    rm -f "$file"
    return 0
  fi
  pid="$(tr -dc '0-9' < "$file")"
  log "stopping $name (pid $pid)"
  kill "$pid" 2>/dev/null || true
  for _ in $(seq 1 50); do
    kill -0 "$pid" 2>/dev/null || break
    sleep 0.2
  done
  if kill -0 "$pid" 2>/dev/null; then
    warn "$name (pid $pid) ignored SIGTERM; sending SIGKILL"
    kill -9 "$pid" 2>/dev/null || true
  fi
  rm -f "$file"
}

is_root() { [[ "$(id -u)" == "0" ]]; }
