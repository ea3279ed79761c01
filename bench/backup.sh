#!/usr/bin/env bash
# Benchmark: the worker's backup against pg_dump on the same TaskAgent data, in one run.
#
#   bench/backup.sh [scale]        (default 10; scale 1 = 200,000 tasks)
#
# Builds the database taskagent_bench_s<scale> if it is missing (demo/schema.sql + demo/generate.sql), starts a
# backup-worker and an api-gateway from their jars (mvn package first if missing) on a private catalog, asks for
# two backups through the API (the first after the worker started, then one on the warm worker), then times pg_dump --data-only -Fc -Z6 and -Z1 of the same database. Prints wall
# time, output size and peak memory (VmHWM of the worker process; /usr/bin/time for pg_dump), and the ratios.
# Worker JVM options: BENCH_JAVA_OPTS (default -Xmx160m), parallel readers: BACKUP_WORKER_PARALLELISM (default: one per core).
set -euo pipefail
cd "$(dirname "$0")/.."
SCALE=${1:-10}
export PGHOST=${PGHOST:-127.0.0.1} PGPORT=${PGPORT:-5432} PGUSER=${PGUSER:-postgres}
DB=taskagent_bench_s$SCALE
CATALOG=backup_catalog_bench
TOKEN=bench-$RANDOM$RANDOM
WORK=$(mktemp -d /tmp/taskagent-bench.XXXXXX)
JAVA_OPTS_BENCH=${BENCH_JAVA_OPTS:--Xmx160m}

for s in backup-worker api-gateway; do
  [ -f "$s/target/$s-0.1.0-SNAPSHOT-exec.jar" ] || mvn -B -q -DskipTests package
done
if ! psql -d postgres -tAc "SELECT 1 FROM pg_database WHERE datname = '$DB'" | grep -q 1; then
  echo "building $DB (scale $SCALE)..."
  createdb "$DB"
  psql -q -d "$DB" -f demo/schema.sql
  psql -q -d "$DB" -v scale="$SCALE" -f demo/generate.sql
fi
psql -q -d postgres -c "DROP DATABASE IF EXISTS $CATALOG WITH (FORCE)" -c "CREATE DATABASE $CATALOG"

export SPRING_DATASOURCE_URL=jdbc:postgresql://$PGHOST:$PGPORT/$CATALOG SPRING_DATASOURCE_USERNAME=$PGUSER
export BACKUP_SOURCE_URL=jdbc:postgresql://$PGHOST:$PGPORT/$DB BACKUP_SOURCE_USERNAME=$PGUSER
export BACKUP_STORAGE_DIR=$WORK/backups BACKUP_ADMIN_TOKEN=$TOKEN BACKUP_MAX_BACKUP_SIZE_MB=10000
pids=()
cleanup() { for p in "${pids[@]}"; do kill "$p" 2>/dev/null || true; done; wait 2>/dev/null || true; rm -rf "$WORK"; }
trap cleanup EXIT
SERVER_PORT=18181 java $JAVA_OPTS_BENCH -jar backup-worker/target/backup-worker-0.1.0-SNAPSHOT-exec.jar > "$WORK/worker.log" 2>&1 &
worker_pid=$!; pids+=($worker_pid)
SERVER_PORT=18180 java -Xmx256m -jar api-gateway/target/api-gateway-0.1.0-SNAPSHOT-exec.jar > "$WORK/gateway.log" 2>&1 &
pids+=($!)
for port in 18181 18180; do
  for _ in $(seq 1 120); do curl -fs "localhost:$port/actuator/health/liveness" > /dev/null 2>&1 && break; sleep 1; done
done

cpu_ticks() { awk '{print $14 + $15}' "/proc/$1/stat"; }
# let both JVMs finish their start-up work (background compilation) first: the backup is timed, not their start-up
settle() {
  for _ in $(seq 1 30); do
    local a b
    a=$(( $(cpu_ticks "${pids[0]}") + $(cpu_ticks "${pids[1]}") )); sleep 1
    b=$(( $(cpu_ticks "${pids[0]}") + $(cpu_ticks "${pids[1]}") ))
    [ $(( b - a )) -lt $(( $(getconf CLK_TCK) / 10 )) ] && return
  done
}
settle

backup() { # one backup through the API -> "duration_ms size_bytes worker_cpu_s"
  local before job state
  before=$(cpu_ticks "$worker_pid")
  job=$(curl -fs -X POST -H "Authorization: Bearer $TOKEN" -H 'Content-Type: application/json' \
    -d '{"backup_type":"manual"}' localhost:18180/api/backup/create | jq -r .job_id)
  while :; do # light polling (no jq per poll): the worker's own duration (duration_seconds) is what is timed
    state=$(curl -fs -H "Authorization: Bearer $TOKEN" "localhost:18180/api/backup/jobs/$job")
    grep -Eq '"status":"(SUCCEEDED|FAILED)"' <<< "$state" && break
    sleep 1
  done
  [ "$(jq -r .status <<< "$state")" = SUCCEEDED ] || { echo "backup failed: $(jq -r .error_message <<< "$state")" >&2; exit 1; }
  echo "$(jq -r '.backup.duration_seconds * 1000 | round' <<< "$state") $(jq -r .backup.size_bytes <<< "$state")" \
    "$(awk -v a="$before" -v b="$(cpu_ticks "$worker_pid")" -v hz="$(getconf CLK_TCK)" 'BEGIN {printf "%.1f", (b - a) / hz}')"
}
# the first backup after the worker started (its code still being compiled), then one more on the warm worker
read -r ours_ms ours_size ours_cpu_s <<< "$(backup)"
read -r warm_ms warm_size warm_cpu_s <<< "$(backup)"
ours_rss_kb=$(awk '/VmHWM/ {print $2}' "/proc/$worker_pid/status")

time_pg_dump() { # level -> "seconds maxrss_kb size"
  /usr/bin/time -f "%e %M" -o "$WORK/time.$1" pg_dump --data-only -Fc -Z"$1" -f "$WORK/dump.$1" "$DB"
  echo "$(cat "$WORK/time.$1") $(stat -c %s "$WORK/dump.$1")"
}
read -r z6_s z6_kb z6_size <<< "$(time_pg_dump 6)"
read -r z1_s z1_kb z1_size <<< "$(time_pg_dump 1)"
# pg_dump's fastest configuration, schema and data (what a backup of ours now holds too): directory format, 2 jobs
/usr/bin/time -f "%e" -o "$WORK/time.fd" pg_dump -Fd -j2 -Z1 -f "$WORK/dump.fd" "$DB"
fd_s=$(cat "$WORK/time.fd")

awk -v scale="$SCALE" -v ms="$ours_ms" -v size="$ours_size" -v rss="$ours_rss_kb" -v cpu="$ours_cpu_s" \
    -v wms="$warm_ms" -v wcpu="$warm_cpu_s" \
    -v z6s="$z6_s" -v z6size="$z6_size" -v z6kb="$z6_kb" -v z1s="$z1_s" -v z1size="$z1_size" -v z1kb="$z1_kb" \
    -v fds="$fd_s" 'BEGIN {
  printf "scale %s\n", scale
  printf "%-34s %9s %12s %10s\n", "", "wall s", "size MB", "peak MB"
  printf "%-34s %9.2f %12.1f %10.1f\n", "worker backup, first after start", ms/1000, size/1048576, rss/1024
  printf "%-34s %9.2f %12.1f %10s\n", "worker backup, second (warm)", wms/1000, size/1048576, "(same)"
  printf "%-34s %9.2f %12.1f %10.1f\n", "pg_dump --data-only -Fc -Z6", z6s, z6size/1048576, z6kb/1024
  printf "%-34s %9.2f %12.1f %10.1f\n", "pg_dump --data-only -Fc -Z1", z1s, z1size/1048576, z1kb/1024
  printf "ratios vs -Z6: wall %.2f first, %.2f warm (goal <= 0.5), size %.2f (goal <= 1.2)\n", (ms/1000)/z6s, (wms/1000)/z6s, size/z6size
  printf "%-34s %9.2f\n", "pg_dump -Fd -j2 -Z1 (schema + data)", fds
  printf "ratios vs -Z1: wall %.2f first, %.2f warm, size %.2f\n", (ms/1000)/z1s, (wms/1000)/z1s, size/z1size
  printf "ratios vs -Fd -j2 -Z1: wall %.2f first, %.2f warm (aim <= 0.8)\n", (ms/1000)/fds, (wms/1000)/fds
  printf "worker CPU: %s s first, %s s warm; peak memory is the worker process VmHWM over both\n", cpu, wcpu
}'
