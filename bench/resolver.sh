#!/usr/bin/env bash
# `mta-sts resolver` beside Debian's postfix-mta-sts-resolver on the same domains, in one run: cold lookups (DNS and
# an HTTPS fetch each), lookups from the cache, latency, CPU and memory; rounds alternate which goes first.
# Usage: bench/resolver.sh [DOMAINS] [CONNECTIONS] [SECONDS]   (default 400 domains, 8 connections, 5 s rounds)
# Needs root: the shared DNS server listens on 127.0.0.2:53 and the HTTPS host on 127.0.0.2:443, and
# postfix-mta-sts-resolver, which reads its DNS server from /etc/resolv.conf, is given its own in a mount namespace
# (the machine's resolv.conf is not touched). Installs postfix-mta-sts-resolver (Debian, Python) when missing;
# `apt-get purge postfix-mta-sts-resolver` removes it again.
set -euo pipefail
cd "$(dirname "$0")/.."
if [ "$(id -u)" != 0 ]; then
  echo "bench/resolver.sh: needs root (ports 53 and 443 on 127.0.0.2, a mount namespace); skipped" >&2
  exit 2
fi
if ! [ -x /usr/bin/mta-sts-daemon ]; then
  echo "bench/resolver.sh: installing postfix-mta-sts-resolver" >&2
  apt-get update -qq
  DEBIAN_FRONTEND=noninteractive apt-get install -y -qq postfix-mta-sts-resolver >/dev/null
fi
# one reactor build (unless bench/run.sh has just built): the jar and the harness's classpath from this tree's modules, not from ~/.m2 (its output on stderr)
[ -n "${MTA_STS_BENCH_BUILT:-}" ] ||
  mvn -B -q -pl functions/resolver,bench -am package dependency:build-classpath -DskipTests -Dmdep.outputFile=target/classpath >&2
echo "mta-sts resolver beside postfix-mta-sts-resolver $(dpkg-query -W -f '${Version}' postfix-mta-sts-resolver)"
java -cp "bench/target/classes:$(cat bench/target/classpath)" dev.mtasts.bench.ResolverBench \
  functions/resolver/target/mta-sts-resolver.jar "${1:-400}" "${2:-8}" "${3:-5}"
