#!/usr/bin/env bash
# Benchmark: the worker's restore against pg_restore on the same TaskAgent data, in one run.
#
#   bench/restore.sh [scale]       (default 10)
#
# Uses the database taskagent_bench_s<scale> (built like bench/backup.sh does if missing). Takes one backup with the
# worker, then restores it through the API into an empty copy of the schema (constraints and indexes in place,
# no safety backup: the target is empty), and times pg_restore --data-only --single-transaction of a pg_dump -Fc
# dump of the same data into another empty copy. Prints wall times and the ratio (goal: <= 0.5).
set -euo pipefail
cd "$(dirname "$0")/.."
SCALE=${1:-10}
export PGHOST=${PGHOST:-127.0.0.1} PGPORT=${PGPORT:-5432} PGUSER=${PGUSER:-postgres}
DB=taskagent_bench_s$SCALE
OURS=taskagent_bench_restore_ours
THEIRS=taskagent_bench_restore_pg
CATALOG=backup_catalog_bench
TOKEN=bench-$RANDOM$RANDOM
WORK=$(mktemp -d /tmp/taskagent-bench.XXXXXX)

for s in backup-worker api-gateway; do
  [ -f "$s/target/$s-0.1.0-SNAPSHOT-exec.jar" ] || mvn -B -q -DskipTests package
done
if ! psql -d postgres -tAc "SELECT 1 FROM pg_database WHERE datname = '$DB'" | grep -q 1; then
  echo "building $DB (scale $SCALE)..."
  createdb "$DB"; psql -q -d "$DB" -f demo/schema.sql; psql -q -d "$DB" -v scale="$SCALE" -f demo/generate.sql
fi
for d in $CATALOG $OURS $THEIRS; do psql -q -d postgres -c "DROP DATABASE IF EXISTS $d WITH (FORCE)" -c "CREATE DATABASE $d"; done
psql -q -d $OURS -f demo/schema.sql
psql -q -d $THEIRS -f demo/schema.sql

export SPRING_DATASOURCE_URL=jdbc:postgresql://$PGHOST:$PGPORT/$CATALOG SPRING_DATASOURCE_USERNAME=$PGUSER
export BACKUP_SOURCE_URL=jdbc:postgresql://$PGHOST:$PGPORT/$DB BACKUP_SOURCE_USERNAME=$PGUSER
export BACKUP_STORAGE_DIR=$WORK/backups BACKUP_ADMIN_TOKEN=$TOKEN BACKUP_MAX_BACKUP_SIZE_MB=10000
export BACKUP_RESTORE_TARGETS_BENCH_URL=jdbc:postgresql://$PGHOST:$PGPORT/$OURS BACKUP_RESTORE_TARGETS_BENCH_USERNAME=$PGUSER
pids=()
cleanup() { for p in "${pids[@]}"; do kill "$p" 2>/dev/null || true; done; wait 2>/dev/null || true; rm -rf "$WORK"; }
trap cleanup EXIT
SERVER_PORT=18181 java ${BENCH_JAVA_OPTS:--Xmx256m} -jar backup-worker/target/backup-worker-0.1.0-SNAPSHOT-exec.jar > "$WORK/worker.log" 2>&1 &
pids+=($!)
SERVER_PORT=18180 java -Xmx256m -jar api-gateway/target/api-gateway-0.1.0-SNAPSHOT-exec.jar > "$WORK/gateway.log" 2>&1 &
pids+=($!)
for port in 18181 18180; do
  for _ in $(seq 1 120); do curl -fs "localhost:$port/actuator/health" > /dev/null 2>&1 && break; sleep 1; done
done

api() { curl -fs -H "Authorization: Bearer $TOKEN" -H 'Content-Type: application/json' "$@"; }
wait_job() {
  while :; do
    state=$(api "localhost:18180/api/backup/jobs/$1")
    status=$(jq -r .status <<< "$state")
    [ "$status" = SUCCEEDED ] || [ "$status" = FAILED ] && break
    sleep 0.2
  done
  [ "$status" = SUCCEEDED ] || { echo "job $1 failed: $(jq -r .error_message <<< "$state")" >&2; exit 1; }
}
backup=$(api -X POST -d '{"backup_type":"manual"}' localhost:18180/api/backup/create | jq -r .job_id)
wait_job "$backup"
restore=$(api -X POST -d "{\"backup_id\":\"$backup\",\"target\":\"bench\",\"skip_safety_backup\":true}" \
  localhost:18180/api/backup/restore | jq -r .job_id)
wait_job "$restore"
ours_ms=$(psql -d $CATALOG -tAc "SELECT (result->>'duration_ms') FROM worker.jobs WHERE id = '$restore'")

pg_dump --data-only -Fc -Z6 -f "$WORK/dump.z6" "$DB"
/usr/bin/time -f "%e" -o "$WORK/time.restore" pg_restore --data-only --single-transaction -d $THEIRS "$WORK/dump.z6"
theirs_s=$(cat "$WORK/time.restore")
same=$(diff <(psql -d $OURS -tA -f demo/fingerprint.sql) <(psql -d $DB -tA -f demo/fingerprint.sql) > /dev/null && echo yes || echo NO)

awk -v scale="$SCALE" -v ms="$ours_ms" -v pg="$theirs_s" -v same="$same" 'BEGIN {
  printf "scale %s\n", scale
  printf "%-58s %9.2f s\n", "worker restore (verify, checks, load, FK and row checks), 1 tx", ms/1000
  printf "%-58s %9.2f s\n", "pg_restore --data-only --single-transaction (-Fc -Z6 dump)", pg
  printf "ratio %.2f (goal <= 0.5); restored fingerprint equals the source: %s\n", (ms/1000)/pg, same
}'
