# shellcheck shell=bash
# moto server: S3, DynamoDB and DynamoDB Streams on one loopback port. Sourced by up/down after common.sh.
# A healthy server already on the port is reused and never stopped by us (it has no pid file of ours).

MOTO_HOST=127.0.0.1
MOTO_PORT="${COORDINATOR_MOTO_PORT:-4566}"
MOTO_URL="http://$MOTO_HOST:$MOTO_PORT"
MOTO_PID="$STATE_DIR/moto/moto_server.pid"

# moto answers GET / with S3's ListAllMyBuckets; a 200 there means S3 (and so the server) is up.
moto_healthy() {
  [[ "$(curl -s -o /dev/null -m 2 -w '%{http_code}' "$MOTO_URL/" 2>/dev/null)" == "200" ]]
}

moto_port_taken() { (exec 3<>"/dev/tcp/$MOTO_HOST/$MOTO_PORT") 2>/dev/null; }

moto_install_if_missing() {
  command -v moto_server >/dev/null && return 0
  log "moto_server not found; trying: pip install 'moto[server]'"
  if ! timeout 300 python3 -m pip install --quiet 'moto[server]' >&2; then
    die "moto_server is missing and pip could not install it. Install it with: python3 -m pip install 'moto[server]'"
  fi
  hash -r
  command -v moto_server >/dev/null || die "pip installed moto but moto_server is not on PATH; add pip's bin directory to PATH"
}

moto_up() {
  mkdir -p "$STATE_DIR/moto"
  if moto_healthy; then
    if pid_alive "$MOTO_PID"; then log "moto: ours is already running on $MOTO_URL"
    else log "moto: reusing the healthy server already on $MOTO_URL (not ours; down leaves it alone)"; fi
    return 0
  fi
  if moto_port_taken; then
    die "port $MOTO_PORT is taken by something that does not answer like moto; free it or set COORDINATOR_MOTO_PORT"
  fi
  moto_install_if_missing
  log "moto: starting moto_server on $MOTO_URL"
  # The child writes its own pid and then execs moto: setsid may fork, so $! would not be the server's pid.
  (setsid bash -c 'echo $$ > "$0"; exec "$@"' "$MOTO_PID" moto_server -H "$MOTO_HOST" -p "$MOTO_PORT" \
      > "$STATE_DIR/moto/moto_server.log" 2>&1 < /dev/null &)
  wait_until 60 "moto" moto_healthy || die "moto did not become healthy within 60 s; see $STATE_DIR/moto/moto_server.log"
}

moto_down() { stop_pidfile "$MOTO_PID" moto_server; }

# moto keeps what it was sent in memory (about 1 GB after large runs). Restarts our moto, and only ours, when its
# resident memory is above LIMIT_MB; a reused server (no pid file of ours) is never touched.
moto_recycle_if_over() {
  local limit_mb="$1" pid rss_kb
  pid_alive "$MOTO_PID" || return 0
  pid="$(tr -dc '0-9' < "$MOTO_PID")"
  rss_kb="$(awk '/^VmRSS:/ {print $2}' "/proc/$pid/status" 2>/dev/null || echo 0)"
  if (( rss_kb / 1024 > limit_mb )); then
    log "moto uses $((rss_kb / 1024)) MB (limit $limit_mb MB): restarting it"
    moto_down
    moto_up
  fi
}
