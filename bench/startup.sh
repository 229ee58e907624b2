#!/usr/bin/env bash
# Start-up time: from launching `java -Xmx2g -jar JAR` to all five routes started (Camel's "Started"
# lines), against PostgreSQL 15 (Debian's server) and a Kafka broker with S3Proxy, each in a process
# of its own on this machine. With several jars the launches take turns, so both builds meet the
# same machine; each gets its own slot, topics, group and bucket.
#
# Usage: bench/startup.sh JAR [JAR ...]     (environment: LAUNCHES, default 5 per jar; PROFILE_JAVA_OPTIONS,
#        JVM options added to every launch, a flight recording say: such launches time the profiler too;
#        KEEP_LOGS, a directory that keeps each launch's log)
# Prints each launch and the median per jar; nothing is appended anywhere.
set -euo pipefail
cd "$(dirname "$0")/.."
[ $# -ge 1 ] || { echo "usage: bench/startup.sh JAR [JAR ...]"; exit 2; }
launches=${LAUNCHES:-5}
pgbin=/usr/lib/postgresql/15/bin
work=$(mktemp -d /tmp/trip-startup.XXXXXX)
chmod 755 "$work"
servers_pid=""
cleanup() {
  # each step runs even when the one before fails: under set -e the status of the killed server ended the trap
  # there and left Postgres running
  if [ -n "$servers_pid" ]; then
    kill "$servers_pid" 2>/dev/null || true
    wait "$servers_pid" 2>/dev/null || true
  fi
  runuser -u postgres -- "$pgbin/pg_ctl" -D "$work/pg" -m fast stop >/dev/null 2>&1 || true
  rm -rf "$work"
}
trap cleanup EXIT

free_port() {
  local port=$1
  while (exec 3<>"/dev/tcp/127.0.0.1/$port") 2>/dev/null; do port=$((port + 1)); done
  echo "$port"
}

mvn -B -q test-compile > "$work/maven.out" 2>&1 || { cat "$work/maven.out"; exit 1; }
mvn -B -q dependency:build-classpath -Dmdep.outputFile="$work/classpath.txt" > "$work/maven.out" 2>&1 || { cat "$work/maven.out"; exit 1; }
pg_port=$(free_port 25432)
mkdir "$work/pg" && chown postgres "$work/pg"
runuser -u postgres -- "$pgbin/initdb" -D "$work/pg" -A trust -U postgres >/dev/null
runuser -u postgres -- "$pgbin/pg_ctl" -D "$work/pg" -l "$work/pg/server.log" -w start \
  -o "-p $pg_port -c listen_addresses=127.0.0.1 -c unix_socket_directories=$work/pg -c wal_level=logical -c max_wal_senders=10 -c max_replication_slots=10" >/dev/null
psql -q -h 127.0.0.1 -p "$pg_port" -U postgres -c "CREATE TABLE public.trip (trip_id bigserial PRIMARY KEY, vehicle_id text NOT NULL,
  started_at timestamptz NOT NULL, ended_at timestamptz, distance_km numeric(10,3))"
kafka_port=$(free_port 29092)
s3_port=$(free_port 29000)
java -cp "target/test-classes:target/classes:$(cat "$work/classpath.txt")" bench.StandaloneServers "$work/servers" "$kafka_port" "$s3_port" \
  > "$work/servers.log" 2>&1 &
servers_pid=$!
for _ in $(seq 1 120); do grep -q READY "$work/servers.log" && break; sleep 0.5; done
grep -q READY "$work/servers.log" || { echo "Kafka/S3 did not start"; exit 1; }

declare -A seconds
for launch in $(seq 1 "$launches"); do
  for jar_index in $(seq 1 $#); do
    jar=${!jar_index}
    name="j${jar_index}l${launch}"
    log="$work/$name.log"
    : > "$log"
    http_port=$(free_port 28080)
    hawtio_port=$(free_port 28090)
    start=$(date +%s.%N)
    PIPELINE_PG_HOST=127.0.0.1 PIPELINE_PG_PORT=$pg_port PIPELINE_PG_SLOT=$name PIPELINE_PG_PUBLICATION=$name \
    PIPELINE_KAFKA_BROKERS=127.0.0.1:$kafka_port PIPELINE_KAFKA_TOPIC_PREFIX=$name PIPELINE_KAFKA_GROUP_ID=$name \
    PIPELINE_S3_ENDPOINT=http://127.0.0.1:$s3_port PIPELINE_S3_BUCKET=$name PIPELINE_S3_ACCESS_KEY=trip-pipeline-dev \
    PIPELINE_S3_SECRET_KEY=trip-pipeline-dev-secret PIPELINE_HTTP_PORT=$http_port PIPELINE_HAWTIO_PORT=$hawtio_port \
      java -Xmx2g ${PROFILE_JAVA_OPTIONS:-} -jar "$jar" > "$log" 2>&1 &
    pid=$!
    started=""
    for _ in $(seq 1 600); do
      if [ "$(grep -c 'AbstractCamelContext - Started ' "$log")" -ge 5 ]; then started=$(date +%s.%N); break; fi
      sleep 0.05
    done
    kill "$pid"; wait "$pid" 2>/dev/null || true
    [ -z "${KEEP_LOGS:-}" ] || cp "$log" "$KEEP_LOGS/$name.log"
    [ -n "$started" ] || { echo "$jar: five routes not started within 30 s, see its log:"; tail -5 "$log"; exit 1; }
    took=$(echo "$started - $start" | bc)
    seconds[$jar_index]+="$took "
    printf '%s launch %d: five routes started %.2f s after launch\n' "$jar" "$launch" "$took"
    sleep 2
  done
done
for jar_index in $(seq 1 $#); do
  median=$(echo "${seconds[$jar_index]}" | tr ' ' '\n' | grep . | sort -n | awk '{a[NR]=$1} END {print (NR % 2) ? a[(NR+1)/2] : (a[NR/2]+a[NR/2+1])/2}')
  printf '%s: median %.2f s over %d launches\n' "${!jar_index}" "$median" "$launches"
done
