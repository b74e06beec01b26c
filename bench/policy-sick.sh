#!/usr/bin/env bash
# The policy function against a sick DynamoDB (black-hole, delay, refuse, reset) and under load:
# bench/policy-sick.sh [N requests per mode]. Builds first when the jars or the bench classes are missing.
set -euo pipefail
cd "$(dirname "$0")/.."
[ -f bench/target/classpath ] && [ -d bench/target/classes ] && [ -f functions/cli/target/mta-sts.jar ] ||
  mvn -B -q package dependency:build-classpath -DskipTests -Dmdep.outputFile=target/classpath >&2
N=${1:-20}
# the proxy in front of DynamoDB Local listens on this port; the function finds it where Lambda's would find an
# endpoint, in the SDK's standard setting
PORT=$(python3 -c 'import socket; s = socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])')
# Lambda's java runtime stops tiered compilation at C1
env AWS_REGION=us-east-1 AWS_ACCESS_KEY_ID=local AWS_SECRET_ACCESS_KEY=local DOMAINS_TABLE=mta-sts-domains \
    AWS_ENDPOINT_URL_DYNAMODB="http://127.0.0.1:$PORT" \
    java -XX:TieredStopAtLevel=1 -cp "bench/target/classes:$(cat bench/target/classpath)" \
    dev.mtasts.bench.SickDynamo "$N" 2>/dev/null | grep -v '^SLF4J'
