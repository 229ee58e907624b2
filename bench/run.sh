#!/usr/bin/env bash
# Side-by-side benchmark: the stack trip-pipeline replaces (Kafka Connect 3.9.1 standalone + Debezium
# 3.4.0.Final's Postgres connector, resolved by bench/peer/pom.xml) and trip-pipeline (java -jar),
# in alternating turns against the same PostgreSQL 15 (Debian's server, its own process), KRaft Kafka
# broker and S3Proxy (together in one more JVM). Prints each round, the medians and the
# pipeline/peer ratios, then the pipeline's change-to-S3 latency, and appends the run to BENCHMARKS.md.
#
# Usage: bench/run.sh [rows, default 500000] [rounds, default 3] [mixed changes on the verifying turn, default 50000]
# Environment: LATENCY_SECONDS (default 80) how long the latency writer runs;
#              RECORD=no prints the results without appending them to BENCHMARKS.md;
#              PROFILE_JAVA_OPTIONS adds JVM options to trip-pipeline's turns only, e.g.
#              "-XX:StartFlightRecording=filename=/tmp/pipeline.jfr,settings=profile" (such a run is never appended);
#              PROFILE_PEER_JAVA_OPTIONS likewise for the peer's turns.
# Each system's log stays in target/bench-logs/ (named by run and turn, kept until mvn clean); everything else is removed when the script ends.
set -euo pipefail
cd "$(dirname "$0")/.."
command_line="bench/run.sh${*:+ $*}"
rows=${1:-500000}
rounds=${2:-3}
mixed=${3:-50000}
pgbin=/usr/lib/postgresql/15/bin
if [ ! -x "$pgbin/postgres" ]; then
  apt-get update -q && DEBIAN_FRONTEND=noninteractive apt-get install -y -q postgresql-15
fi

work=$(mktemp -d /tmp/trip-bench.XXXXXX)
chmod 755 "$work"  # the postgres user must reach its data directory below
servers_pid=""
driver_pid=""
cleanup() {
  local status=$?
  trap - EXIT INT TERM
  # the driver's shutdown hook stops the system under test (SIGTERM) before the driver exits
  if [ -n "$driver_pid" ] && kill -0 "$driver_pid" 2>/dev/null; then
    kill "$driver_pid" 2>/dev/null || true
    wait "$driver_pid" 2>/dev/null || true
  fi
  if [ -n "$servers_pid" ]; then
    kill "$servers_pid" 2>/dev/null || true
    wait "$servers_pid" 2>/dev/null || true
  fi
  runuser -u postgres -- "$pgbin/pg_ctl" -D "$work/pg" -m fast stop >/dev/null 2>&1 || true
  rm -rf "$work"
  exit "$status"
}
trap cleanup EXIT
trap 'exit 130' INT
trap 'exit 143' TERM

# a port nobody listens on, from $1 upwards: several benchmarks may share the machine
free_port() {
  local port=$1
  while (exec 3<>"/dev/tcp/127.0.0.1/$port") 2>/dev/null; do port=$((port + 1)); done
  echo "$port"
}

# Debian's Maven 3.8.7 prints colour resets even in batch mode; only its messages should show
mvn_quiet() {
  local status=0
  mvn -B -q "$@" > "$work/maven.out" 2>&1 || status=$?
  sed 's/\x1b\[[0-9;]*m//g' "$work/maven.out" | grep -v '^$' || true
  return "$status"
}

echo "Building trip-pipeline and the benchmark driver"
mvn_quiet -DskipTests package test-compile
mvn_quiet dependency:build-classpath -Dmdep.outputFile="$work/classpath.txt"
echo "Resolving the peer (Kafka Connect + Debezium) from bench/peer/pom.xml"
mvn_quiet -f bench/peer/pom.xml dependency:build-classpath -Dmdep.outputFile="$work/peer-classpath.txt"
classpath="target/test-classes:target/classes:$(cat "$work/classpath.txt")"

pg_port=$(free_port 15432)
mkdir "$work/pg" && chown postgres "$work/pg"
runuser -u postgres -- "$pgbin/initdb" -D "$work/pg" -A trust -U postgres >/dev/null
runuser -u postgres -- "$pgbin/pg_ctl" -D "$work/pg" -l "$work/pg/server.log" -w start \
  -o "-p $pg_port -c listen_addresses=127.0.0.1 -c unix_socket_directories=$work/pg -c wal_level=logical -c max_wal_senders=10 -c max_replication_slots=10" >/dev/null

kafka_port=$(free_port 19092)
s3_port=$(free_port 19000)
java -cp "$classpath" bench.StandaloneServers "$work/servers" "$kafka_port" "$s3_port" > "$work/servers.log" 2>&1 &
servers_pid=$!
for _ in $(seq 1 120); do grep -q READY "$work/servers.log" && break; sleep 0.5; done
grep -q READY "$work/servers.log" || { echo "Kafka/S3 did not start: $(tail -5 "$work/servers.log")"; exit 1; }

mkdir -p target/bench-logs  # files are named by run and turn, so earlier runs' logs stay until mvn clean
java -Xmx2g -cp "$classpath" bench.SideBySideBenchmark \
  "jdbc-url=jdbc:postgresql://127.0.0.1:$pg_port/postgres" \
  "kafka=127.0.0.1:$kafka_port" \
  "s3-endpoint=http://127.0.0.1:$s3_port" \
  "s3-dir=$work/servers/s3" \
  "pipeline-jar=target/trip-pipeline.jar" \
  "peer-classpath=$(cat "$work/peer-classpath.txt")" \
  "work-dir=$work/turns" \
  "log-dir=target/bench-logs" \
  "rows=$rows" "rounds=$rounds" "mixed=$mixed" \
  "latency-seconds=${LATENCY_SECONDS:-80}" \
  "report=BENCHMARKS.md" \
  "record=$([ "${RECORD:-yes}" = no ] && echo false || echo true)" \
  "command=$command_line" \
  "pipeline-java-options=${PROFILE_JAVA_OPTIONS:-}" \
  "peer-java-options=${PROFILE_PEER_JAVA_OPTIONS:-}" &
driver_pid=$!
wait "$driver_pid"
