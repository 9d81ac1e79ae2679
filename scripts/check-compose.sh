#!/usr/bin/env bash
# docker-compose.yml loaded by compose-go (the library `docker compose` uses) and checked against what the cluster
# runs (tools/compose-check): the same Temporal version as scripts/install-temporal-server.sh builds, and the rest.
set -euo pipefail
cd "$(dirname "$0")/.."
VERSION=$(sed -n 's/^VERSION=v//p' scripts/install-temporal-server.sh)
cd tools/compose-check
go run . -file ../../docker-compose.yml -temporal-version "$VERSION"
