# shellcheck shell=bash
# DynamoDB Local (AWS's own emulator) on 127.0.0.1:8000, a second DynamoDB for the state-store contract tests.
# It ships inside the npm package amplify-dynamodb-simulator and needs Java 17+. Optional: if it cannot be
# installed or started, up says why and carries on without it (COORDINATOR_DYNAMODB_LOCAL_URL stays empty).

DDB_LOCAL_PORT="${COORDINATOR_DYNAMODB_LOCAL_PORT:-8000}"
DDB_LOCAL_URL="http://127.0.0.1:$DDB_LOCAL_PORT"
DDB_LOCAL_DIR="$STATE_DIR/dynamodb-local"
DDB_LOCAL_PID="$DDB_LOCAL_DIR/dynamodb-local.pid"
DDB_LOCAL_PACKAGE="amplify-dynamodb-simulator@2.9.30"
DDB_LOCAL_JAR="$DDB_LOCAL_DIR/node_modules/amplify-dynamodb-simulator/emulator/DynamoDBLocal.jar"

# DynamoDB Local rejects unsigned calls but does not check signatures, so a well-formed fake header is enough.
ddb_local_healthy() {
  curl -s -m 2 -o /dev/null -w '%{http_code}' -X POST "$DDB_LOCAL_URL/" \
    -H 'Content-Type: application/x-amz-json-1.0' \
    -H 'X-Amz-Target: DynamoDB_20120810.ListTables' \
    -H 'Authorization: AWS4-HMAC-SHA256 Credential=test/20260101/us-east-1/dynamodb/aws4_request, SignedHeaders=host, Signature=0' \
    -d '{}' 2>/dev/null | grep -qx 200
}

ddb_local_java() {
  local candidate
  for candidate in "${JAVA_HOME:+$JAVA_HOME/bin/java}" /usr/lib/jvm/java-17-openjdk-amd64/bin/java "$(command -v java)"; do
    [[ -n "$candidate" && -x "$candidate" ]] || continue
    local major
    major="$("$candidate" -version 2>&1 | sed -n 's/.*version "\([0-9]*\).*/\1/p' | head -n 1)"
    if [[ -n "$major" && "$major" -ge 17 ]]; then printf '%s\n' "$candidate"; return 0; fi
  done
  return 1
}

# ddb_local_up: sets DDB_LOCAL_URL_IN_USE to the URL, or to "" when DynamoDB Local is not available.
ddb_local_up() {
  DDB_LOCAL_URL_IN_USE=""
  if ddb_local_healthy; then
    log "dynamodb-local: already answering on $DDB_LOCAL_URL"
    DDB_LOCAL_URL_IN_USE="$DDB_LOCAL_URL"
    return 0
  fi
  mkdir -p "$DDB_LOCAL_DIR"
  if [[ ! -f "$DDB_LOCAL_JAR" ]]; then
    if ! command -v npm >/dev/null; then
      warn "dynamodb-local skipped: npm is not installed (it installs $DDB_LOCAL_PACKAGE)"; return 0
    fi
    log "dynamodb-local: npm install $DDB_LOCAL_PACKAGE into $DDB_LOCAL_DIR"
    if ! (cd "$DDB_LOCAL_DIR" && timeout 600 npm install --no-audit --no-fund --silent "$DDB_LOCAL_PACKAGE" >&2) \
       || [[ ! -f "$DDB_LOCAL_JAR" ]]; then
      warn "dynamodb-local skipped: npm install $DDB_LOCAL_PACKAGE failed"; return 0
    fi
  fi
  local java
  if ! java="$(ddb_local_java)"; then
    warn "dynamodb-local skipped: no Java 17+ found (apt-get install -y openjdk-17-jre-headless)"; return 0
  fi
  local emulator_dir
  emulator_dir="$(dirname "$DDB_LOCAL_JAR")"
  log "dynamodb-local: starting on $DDB_LOCAL_URL"
  # The child writes its own pid and then execs java: setsid may fork, so $! would not be the server's pid.
  (cd "$emulator_dir" && setsid bash -c 'echo $$ > "$0"; exec "$@"' "$DDB_LOCAL_PID" \
      "$java" -Xmx512m -Djava.library.path=./DynamoDBLocal_lib -jar DynamoDBLocal.jar -inMemory -sharedDb \
      -port "$DDB_LOCAL_PORT" > "$DDB_LOCAL_DIR/dynamodb-local.log" 2>&1 < /dev/null &)
  if wait_until 60 "dynamodb-local" ddb_local_healthy; then
    DDB_LOCAL_URL_IN_USE="$DDB_LOCAL_URL"
  else
    warn "dynamodb-local did not answer within 60 s; continuing without it (see $DDB_LOCAL_DIR/dynamodb-local.log)"
    stop_pidfile "$DDB_LOCAL_PID" dynamodb-local
  fi
}

ddb_local_down() { stop_pidfile "$DDB_LOCAL_PID" dynamodb-local; }
