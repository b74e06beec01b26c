#!/usr/bin/env bash
# What one report costs the reports function, warm and in process against DynamoDB Local: CPU ms of the ingesting
# thread, DynamoDB write units, and Lambda plus DynamoDB dollars per million reports. Runs with the JVM flags the
# Lambda java21 runtime sets by default (C1 only, serial collector). Usage: bench/report-cost.sh [BATCHES]
set -euo pipefail
cd "$(dirname "$0")/.."
DATA=bench/target/corpus
[ -f bench/target/classpath ] && [ -d bench/target/classes ] && [ -f functions/cli/target/mta-sts.jar ] ||
  mvn -B -q package dependency:build-classpath -DskipTests -Dmdep.outputFile=target/classpath >&2
[ -d "$DATA/small" ] || python3 bench/gen-reports.py "$DATA" --small 2000 --details 100000 >&2
exec java -XX:TieredStopAtLevel=1 -XX:+UseSerialGC -cp "bench/target/classes:$(cat bench/target/classpath)" \
  dev.mtasts.bench.ReportCost "$DATA" "${1:-8}"
