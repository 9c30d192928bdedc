#!/usr/bin/env bash
# LocalStack ready hook: creates Coordinator's tables and bucket with the same key schemas and streams as
# `coordinator init` (src/Aws/Provisioning/StackLayout.cs). Idempotent, like init.
set -euo pipefail

JOBS="${COORDINATOR_JOBS_TABLE:-coordinator-jobs}"
TASKS="${COORDINATOR_TASKS_TABLE:-coordinator-tasks}"
LEASES="${COORDINATOR_LEASES_TABLE:-coordinator-leases}"
BUCKET="${COORDINATOR_BUCKET:-coordinator}"

create_table() {
  local name="$1"; shift
  if awslocal dynamodb describe-table --table-name "$name" > /dev/null 2>&1; then
    echo "table $name: AlreadyExisted"
    return
  fi
  awslocal dynamodb create-table --table-name "$name" --billing-mode PAY_PER_REQUEST \
    --stream-specification StreamEnabled=true,StreamViewType=NEW_AND_OLD_IMAGES "$@" > /dev/null
  awslocal dynamodb wait table-exists --table-name "$name"
  echo "table $name: Created"
}

create_table "$JOBS" --attribute-definitions AttributeName=name,AttributeType=S --key-schema AttributeName=name,KeyType=HASH
create_table "$TASKS" \
  --attribute-definitions AttributeName=job,AttributeType=S AttributeName=index,AttributeType=N \
  --key-schema AttributeName=job,KeyType=HASH AttributeName=index,KeyType=RANGE
create_table "$LEASES" --attribute-definitions AttributeName=name,AttributeType=S --key-schema AttributeName=name,KeyType=HASH

if awslocal s3api head-bucket --bucket "$BUCKET" > /dev/null 2>&1; then
  echo "bucket $BUCKET: AlreadyExisted"
else
  awslocal s3 mb "s3://$BUCKET" > /dev/null
  echo "bucket $BUCKET: Created"
fi
