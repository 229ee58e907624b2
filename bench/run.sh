#!/usr/bin/env bash
# Measures the pipeline as users run it (java -jar) against PostgreSQL 15 (Debian's server, as its
# own process), a KRaft Kafka broker and S3Proxy (together in a second process), then appends the
# figures to BENCHMARKS.md.  Usage: bench/run.sh [rows, default 500000] [mixed changes, default 50000]
set -euo pipefail
cd "$(dirname "$0")/.."
rows=${1:-500000}
mixed=${2:-50000}
pgbin=/usr/lib/postgresql/15/bin
if [ ! -x "$pgbin/postgres" ]; then
  apt-get update -q && DEBIAN_FRONTEND=noninteractive apt-get install -y -q postgresql-15
fi

work=$(mktemp -d /tmp/trip-bench.XXXXXX)
chmod 755 "$work"
servers_pid=""
cleanup() {
  [ -n "$servers_pid" ] && kill "$servers_pid" 2>/dev/null || true
  runuser -u postgres -- "$pgbin/pg_ctl" -D "$work/pg" -m fast stop >/dev/null 2>&1 || true
}
trap cleanup EXIT

mvn -B -q -DskipTests package test-compile
mvn -B -q dependency:build-classpath -Dmdep.outputFile="$work/classpath.txt" >/dev/null
classpath="target/test-classes:target/classes:$(cat "$work/classpath.txt")"

pgport=15432
mkdir "$work/pg" && chown postgres "$work/pg"
runuser -u postgres -- "$pgbin/initdb" -D "$work/pg" -A trust -U postgres >/dev/null
runuser -u postgres -- "$pgbin/pg_ctl" -D "$work/pg" -l "$work/pg/server.log" -w start \
  -o "-p $pgport -c listen_addresses=127.0.0.1 -c unix_socket_directories=$work/pg -c wal_level=logical -c max_wal_senders=10 -c max_replication_slots=10" >/dev/null

java -cp "$classpath" bench.StandaloneServers "$work" 19092 19000 > "$work/servers.log" 2>&1 &
servers_pid=$!
for _ in $(seq 1 120); do grep -q READY "$work/servers.log" && break; sleep 0.5; done
grep -q READY "$work/servers.log" || { echo "Kafka/S3 did not start: $(tail -5 "$work/servers.log")"; exit 1; }

[ -f BENCHMARKS.md ] || printf "# Benchmarks\n\n## Recorded runs\n" > BENCHMARKS.md
java -Xmx4g -cp "$classpath" bench.PipelineBenchmark "jdbc:postgresql://127.0.0.1:$pgport/postgres" 127.0.0.1:19092 \
  http://127.0.0.1:19000 target/trip-pipeline.jar "$rows" "$mixed" BENCHMARKS.md
