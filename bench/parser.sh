#!/usr/bin/env bash
# The report parser warm and in process beside jq (same corpus, same per-domain totals, checked equal), with the
# JVM's full JIT and with Lambda's C1 only, and the peak RSS of reading the 67 MB report once.
# Usage: bench/parser.sh [RUNS]   (needs jq and GNU time)
# Builds first when the bench classes or their classpath are missing.
set -euo pipefail
cd "$(dirname "$0")/.."
RUNS=${1:-9}
DATA=bench/target/corpus
[ -f bench/target/classpath ] && [ -d bench/target/classes ] && [ -f functions/cli/target/mta-sts.jar ] ||
  mvn -B -q package dependency:build-classpath -DskipTests -Dmdep.outputFile=target/classpath >&2
[ -f "$DATA/large.json" ] && [ -d "$DATA/small" ] || python3 bench/gen-reports.py "$DATA" --small 2000 --details 100000 >&2
CP="bench/target/classes:$(cat bench/target/classpath)"
java -cp "$CP" dev.mtasts.bench.ParserThroughput "$DATA" "$RUNS"
# the same with the JIT the Lambda java21 runtime gives functions by default: C1 only, serial collector
java -XX:TieredStopAtLevel=1 -XX:+UseSerialGC -cp "$CP" dev.mtasts.bench.ParserThroughput "$DATA" "$RUNS" no-rss
