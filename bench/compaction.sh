#!/usr/bin/env bash
# A month of the lake as the lake writer leaves it (one file per day partition per batch) in S3Proxy,
# in two buckets, one compacted; then the monthly statistics read from each in alternating rounds.
# Prints objects and bytes before and after, the compaction's time, and per round the statistics'
# seconds and S3 requests. Usage: bench/compaction.sh [events, default 2000000] [events per batch,
# default 500] [rounds, default 3]
set -euo pipefail
cd "$(dirname "$0")/.."
events=${1:-2000000}
batch=${2:-500}
rounds=${3:-3}
mvn -B -q -DskipTests test-compile
mvn -B -q dependency:build-classpath -Dmdep.outputFile=target/bench-classpath.txt >/dev/null
java -Xmx${HEAP:-512m} -cp "target/test-classes:target/classes:$(cat target/bench-classpath.txt)" \
  bench.CompactionBenchmark "$events" "$batch" "$rounds" 2>&1 | grep -v '^SLF4J'
