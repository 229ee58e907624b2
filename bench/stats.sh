#!/usr/bin/env bash
# Monthly statistics over a month of change events in local Snappy Parquet (generated on first use),
# with the heap limit of the issue (HEAP=512m by default), side by side with DuckDB on the same files.
# Usage: bench/stats.sh [events, default 5000000] [vehicles, default 20000] [directory]
set -euo pipefail
cd "$(dirname "$0")/.."
events=${1:-5000000}
vehicles=${2:-20000}
dir=${3:-/tmp/trip-pipeline-stats-bench-$events-$vehicles}
mvn -B -q -DskipTests test-compile
mvn -B -q dependency:build-classpath -Dmdep.outputFile=target/bench-classpath.txt >/dev/null
java -Xmx${HEAP:-512m} -cp "target/test-classes:target/classes:$(cat target/bench-classpath.txt)" \
  bench.StatisticsBenchmark "$events" "$vehicles" "$dir" 2>&1 | grep -v '^SLF4J'
