#!/usr/bin/env bash
# Benchmark: what encryption at rest and an S3 primary cost, against the plain local backup, in one run.
#
#   bench/storage.sh [scale]        (default 10; also runs scale 1 for the memory growth)
#
# For scale 1 and the given scale, starts a backup-worker per configuration (plain local; local encrypted with a new
# AES256_GCM_HKDF_1MB keyset; S3 primary on a local s3rver, its own process on loopback, in the clear) beside one
# api-gateway, takes a warm-up backup and then a timed one through the API, and reads the worker's peak memory
# (VmHWM). Prints wall time (the worker's own duration of the timed backup), size, peak memory, the ratios against
# the plain backup (goals: encryption <= 1.10, S3 primary <= 1.25) and each configuration's peak memory growth from
# scale 1 to the scale (goal < 64 MB). Worker JVM options: BENCH_JAVA_OPTS (default -Xmx160m).
set -euo pipefail
cd "$(dirname "$0")/.."
SCALE=${1:-10}
export PGHOST=${PGHOST:-127.0.0.1} PGPORT=${PGPORT:-5432} PGUSER=${PGUSER:-postgres}
CATALOG=backup_catalog_bench_storage
TOKEN=bench-$RANDOM$RANDOM
WORK=$(mktemp -d /tmp/taskagent-bench-storage.XXXXXX)
JAVA_OPTS_BENCH=${BENCH_JAVA_OPTS:--Xmx160m}
WORKER_JAR=backup-worker/target/backup-worker-0.1.0-SNAPSHOT-exec.jar

for s in backup-worker api-gateway; do
  [ -f "$s/target/$s-0.1.0-SNAPSHOT-exec.jar" ] || mvn -B -q -DskipTests package
done
[ -f test-support/s3rver/node_modules/s3rver/bin/s3rver.js ] || npm ci --prefix test-support/s3rver --no-audit --no-fund
for scale in 1 "$SCALE"; do
  db=taskagent_bench_s$scale
  if ! psql -d postgres -tAc "SELECT 1 FROM pg_database WHERE datname = '$db'" | grep -q 1; then
    echo "building $db (scale $scale)..."
    createdb "$db"
    psql -q -d "$db" -f demo/schema.sql
    psql -q -d "$db" -v scale="$scale" -f demo/generate.sql
  fi
done

pids=()
cleanup() { for p in "${pids[@]}"; do kill "$p" 2>/dev/null || true; done; wait 2>/dev/null || true; rm -rf "$WORK"; }
trap cleanup EXIT
java -jar "$WORKER_JAR" keyset new > "$WORK/keyset.json"
mkdir -p "$WORK/s3"
node test-support/s3rver/node_modules/s3rver/bin/s3rver.js -d "$WORK/s3" -a 127.0.0.1 -p 18490 --silent \
  --no-vhost-buckets --configure-bucket bench > "$WORK/s3rver.log" 2>&1 &
pids+=($!)

export SPRING_DATASOURCE_URL=jdbc:postgresql://$PGHOST:$PGPORT/$CATALOG SPRING_DATASOURCE_USERNAME=$PGUSER
export BACKUP_ADMIN_TOKEN=$TOKEN BACKUP_MAX_BACKUP_SIZE_MB=10000
psql -q -d postgres -c "DROP DATABASE IF EXISTS $CATALOG WITH (FORCE)" -c "CREATE DATABASE $CATALOG"
SERVER_PORT=18280 java -Xmx256m -jar api-gateway/target/api-gateway-0.1.0-SNAPSHOT-exec.jar > "$WORK/gateway.log" 2>&1 &
pids+=($!)
for _ in $(seq 1 120); do curl -fs localhost:18280/actuator/health/liveness > /dev/null 2>&1 && break; sleep 1; done

backup() { # one backup through the API -> "duration_ms size_bytes"
  local job state
  job=$(curl -fs -X POST -H "Authorization: Bearer $TOKEN" -H 'Content-Type: application/json' \
    -d '{"backup_type":"manual"}' localhost:18280/api/backup/create | jq -r .job_id)
  while :; do
    state=$(curl -fs -H "Authorization: Bearer $TOKEN" "localhost:18280/api/backup/jobs/$job")
    grep -Eq '"status":"(SUCCEEDED|FAILED)"' <<< "$state" && break
    sleep 1
  done
  [ "$(jq -r .status <<< "$state")" = SUCCEEDED ] || { echo "backup failed: $(jq -r .error_message <<< "$state")" >&2; exit 1; }
  echo "$(jq -r '.backup.duration_seconds * 1000 | round' <<< "$state") $(jq -r .backup.size_bytes <<< "$state")"
}

run() { # scale config -> "duration_ms size_bytes peak_kb"
  local scale=$1 config=$2 pid
  local env=(SERVER_PORT=18281 BACKUP_SOURCE_URL=jdbc:postgresql://$PGHOST:$PGPORT/taskagent_bench_s$scale
             BACKUP_SOURCE_USERNAME=$PGUSER BACKUP_STORAGE_DIR=$WORK/backups-$scale-$config)
  case $config in
    encrypted) env+=(BACKUP_ENCRYPTION_KEYSET_FILE=$WORK/keyset.json) ;;
    s3) env+=(BACKUP_STORAGE_DESTINATIONS_OFFSITE_TYPE=s3
              BACKUP_STORAGE_DESTINATIONS_OFFSITE_BUCKET=bench BACKUP_STORAGE_DESTINATIONS_OFFSITE_PREFIX=s$scale
              BACKUP_STORAGE_DESTINATIONS_OFFSITE_ENDPOINT=http://127.0.0.1:18490
              BACKUP_STORAGE_DESTINATIONS_OFFSITE_PATH_STYLE=true
              BACKUP_STORAGE_DESTINATIONS_OFFSITE_ACCESS_KEY_ID=S3RVER
              BACKUP_STORAGE_DESTINATIONS_OFFSITE_SECRET_ACCESS_KEY=S3RVER) ;;
  esac
  env "${env[@]}" java $JAVA_OPTS_BENCH -jar "$WORKER_JAR" > "$WORK/worker-$scale-$config.log" 2>&1 &
  pid=$!
  for _ in $(seq 1 120); do curl -fs localhost:18281/actuator/health/liveness > /dev/null 2>&1 && break; sleep 1; done
  backup > /dev/null # warm-up: the JIT compiles the dump path
  read -r ms size <<< "$(backup)"
  local peak; peak=$(awk '/VmHWM/ {print $2}' "/proc/$pid/status")
  kill "$pid"; wait "$pid" 2>/dev/null || true
  echo "$ms $size $peak"
}

declare -A MS SIZE PEAK
for scale in 1 "$SCALE"; do
  for config in plain encrypted s3; do
    read -r "MS[$scale,$config]" "SIZE[$scale,$config]" "PEAK[$scale,$config]" <<< "$(run "$scale" "$config")"
  done
done

printf "scale %s (memory growth from scale 1)\n" "$SCALE"
printf "%-28s %9s %10s %10s %10s %12s\n" "" "wall s" "size MB" "peak MB" "ratio" "growth MB"
for config in plain encrypted s3; do
  awk -v c="$config" -v ms="${MS[$SCALE,$config]}" -v base="${MS[$SCALE,plain]}" -v size="${SIZE[$SCALE,$config]}" \
      -v peak="${PEAK[$SCALE,$config]}" -v peak1="${PEAK[1,$config]}" 'BEGIN {
    label = c == "plain" ? "local, in the clear" : c == "encrypted" ? "local, encrypted" : "S3 primary, in the clear"
    printf "%-28s %9.2f %10.1f %10.1f %10.2f %12.1f\n", label, ms/1000, size/1048576, peak/1024, ms/base, (peak-peak1)/1024
  }'
done
echo "goals: encrypted <= 1.10, S3 primary <= 1.25 (loopback), growth < 64 MB"
