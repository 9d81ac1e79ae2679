#!/bin/sh
# The namespace the application runs in, registered unless it exists (the full server starts with none). Runs in the
# admin-tools container of docker-compose.yml; `npm run cluster` does the same through the SDK (scripts/topology).
set -eu
: "${TEMPORAL_ADDRESS:?}"
NAMESPACE=${TEMPORAL_NAMESPACE:-default}
if temporal operator namespace describe --namespace "$NAMESPACE" >/dev/null 2>&1; then
  echo "namespace $NAMESPACE exists"
else
  temporal operator namespace create --namespace "$NAMESPACE" --retention 30d
fi
