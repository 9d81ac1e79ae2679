#!/bin/sh
# The namespace the application runs in, registered unless it exists (the full server starts with none), and the
# workflows' search attributes (domain/search-attributes.ts) unless they exist. Runs in the admin-tools container of
# docker-compose.yml; `npm run cluster` does the same through the SDK (scripts/topology).
set -eu
: "${TEMPORAL_ADDRESS:?}"
NAMESPACE=${TEMPORAL_NAMESPACE:-default}
if temporal operator namespace describe --namespace "$NAMESPACE" >/dev/null 2>&1; then
  echo "namespace $NAMESPACE exists"
else
  temporal operator namespace create --namespace "$NAMESPACE" --retention 30d
fi
known=$(temporal operator search-attribute list --namespace "$NAMESPACE")
for name in ProjectId ProjectExternalId MilestoneState DisputeState ClientId ProviderId; do
  if printf '%s\n' "$known" | grep -qw "$name"; then
    echo "search attribute $name exists"
  else
    temporal operator search-attribute create --namespace "$NAMESPACE" --name "$name" --type Keyword
  fi
done
