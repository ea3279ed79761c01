#!/usr/bin/env bash
# Benchmark: the worker's restores against pg_restore on the same TaskAgent data, in one run.
#
#   bench/restore.sh [scale]       (default 10)
#
# Uses the database taskagent_bench_s<scale> (built like bench/backup.sh does if missing). Takes one backup with the
# worker (format 2: schema and rows) and one full pg_dump -Fc -Z6 of the same database, then times, every row
# verified on our side:
#   (a) rebuilding the database from nothing: our restore with create_database, against pg_restore --create of the
#       full dump with --single-transaction and with -j2, the latter also as ours runs: without the server's parallel
#       workers and with our sessions' sort memory (goal: <= 0.8x the fastest of the three);
#   (b) replacing the rows of the populated database: our replace restore (no safety backup), against
#       pg_restore --clean --if-exists --single-transaction (goal: <= 1.0x);
#   (c) a restore drill of the same backup (POST /api/backup/drills): its recovery time (RTO), against
#       pg_restore --single-transaction into an empty database (goal: <= 0.5x).
# Each restored database's fingerprint is compared with the source's.
# Then what the goals leave room for on this machine, same dump, same run: pg_restore's data and post-data sections
# timed apart, the same rows loaded as ours are (binary COPY FREEZE), and reading every row back as COPY text (what our
# row check asks of the server), each with the machine's CPU; from them (the cheaper load) two floors an implementation
# that checks every row can only come a little under (where its parts beat these stand-ins, e.g. psql's binary COPY):
# (a) all of that CPU work plus our worker's spread over every core (and the read-back's share of it: what the row
# check alone costs), (b) the load and the post-data section one after the other on one server backend, as a restore
# into a populated database in one transaction must run them, then the read-back's CPU spread over every core (the
# transaction's parallel workers can share that one).
set -euo pipefail
cd "$(dirname "$0")/.."
SCALE=${1:-10}
export PGHOST=${PGHOST:-127.0.0.1} PGPORT=${PGPORT:-5432} PGUSER=${PGUSER:-postgres}
DB=taskagent_bench_s$SCALE
CATALOG=backup_catalog_bench
OURS_NEW=taskagent_bench_ours_new
THEIRS_NEW=taskagent_bench_pg_new
OURS_REPLACE=taskagent_bench_ours_replace
THEIRS_REPLACE=taskagent_bench_pg_replace
TOKEN=bench-$RANDOM$RANDOM
WORK=$(mktemp -d /tmp/taskagent-bench.XXXXXX)

for s in backup-worker api-gateway; do
  [ -f "$s/target/$s-0.1.0-SNAPSHOT-exec.jar" ] || mvn -B -q -DskipTests package
done
if ! psql -d postgres -tAc "SELECT 1 FROM pg_database WHERE datname = '$DB'" | grep -q 1; then
  echo "building $DB (scale $SCALE)..."
  createdb "$DB"; psql -q -d "$DB" -f demo/schema.sql; psql -q -d "$DB" -v scale="$SCALE" -f demo/generate.sql
fi
drop() { for d in "$@"; do psql -q -d postgres -c "DROP DATABASE IF EXISTS $d WITH (FORCE)"; done; }
drop $CATALOG $OURS_NEW $THEIRS_NEW $OURS_REPLACE $THEIRS_REPLACE
createdb $CATALOG

export SPRING_DATASOURCE_URL=jdbc:postgresql://$PGHOST:$PGPORT/$CATALOG SPRING_DATASOURCE_USERNAME=$PGUSER
export BACKUP_SOURCE_URL=jdbc:postgresql://$PGHOST:$PGPORT/$DB BACKUP_SOURCE_USERNAME=$PGUSER
# the sort and hash memory of our restore's sessions, given to the pg_restore -j2 that runs as ours too
RESTORE_MEMORY=256MB
export BACKUP_STORAGE_DIR=$WORK/backups BACKUP_ADMIN_TOKEN=$TOKEN BACKUP_MAX_BACKUP_SIZE_MB=10000 BACKUP_RESTORE_MEMORY=$RESTORE_MEMORY
export BACKUP_RESTORE_TARGETS_BENCH_URL=jdbc:postgresql://$PGHOST:$PGPORT/$OURS_REPLACE BACKUP_RESTORE_TARGETS_BENCH_USERNAME=$PGUSER
pids=()
cleanup() { for p in "${pids[@]}"; do kill "$p" 2>/dev/null || true; done; wait 2>/dev/null || true; rm -rf "$WORK"; }
trap cleanup EXIT
SERVER_PORT=18181 java ${BENCH_JAVA_OPTS:--Xmx256m} -jar backup-worker/target/backup-worker-0.1.0-SNAPSHOT-exec.jar > "$WORK/worker.log" 2>&1 &
pids+=($!)
SERVER_PORT=18180 java -Xmx256m -jar api-gateway/target/api-gateway-0.1.0-SNAPSHOT-exec.jar > "$WORK/gateway.log" 2>&1 &
pids+=($!)
for port in 18181 18180; do
  for _ in $(seq 1 120); do curl -fs "localhost:$port/actuator/health/liveness" > /dev/null 2>&1 && break; sleep 1; done
done

api() { curl -fs -H "Authorization: Bearer $TOKEN" -H 'Content-Type: application/json' "$@"; }
wait_job() { # light polling (no jq per poll, twice a second): the bench's own CPU is taken from the 2 cores it measures
  while :; do
    state=$(api "localhost:18180/api/backup/jobs/$1")
    grep -Eq '"status":"(SUCCEEDED|FAILED)"' <<< "$state" && break
    sleep 0.5
  done
  status=$(jq -r .status <<< "$state")
  [ "$status" = SUCCEEDED ] || { echo "job $1 failed: $(jq -r .error_message <<< "$state")" >&2; exit 1; }
}
job_ms() { psql -d $CATALOG -tAc "SELECT (result->>'duration_ms') FROM worker.jobs WHERE id = '$1'"; }
phases() { psql -d $CATALOG -tAc "SELECT result->'phases_ms' FROM worker.jobs WHERE id = '$1'"; }
timed() { /usr/bin/time -f "%e" -o "$WORK/t" "$@" > /dev/null; cat "$WORK/t"; }
# the whole machine's CPU during a step (every process: PostgreSQL's backends, the worker, pg_restore), from /proc/stat:
# CPU seconds busy and the average number of cores busy over the step's wall time. A step that keeps every core busy
# can only be beaten by doing less work, not by more parallelism.
HZ=$(getconf CLK_TCK); CORES=$(nproc)
busy_jiffies() { awk '/^cpu /{print $2+$3+$4+$7+$8+$9}' /proc/stat; }
worker_jiffies() { awk '{print $14+$15}' "/proc/${pids[0]}/stat"; } # the worker JVM's own share
# every timed step starts from the same state: no autovacuum worker running (it vacuums and analyzes a database a big
# load just filled, up to a minute later, on the same two cores), the server's dirty buffers and the kernel's dirty
# pages written out, so that no step pays for the work the one before it left behind
settle() {
  for _ in $(seq 1 300); do
    [ "$(psql -d postgres -tAc "SELECT count(*) FROM pg_stat_activity WHERE backend_type = 'autovacuum worker'")" = 0 ] && break
    sleep 1
  done
  psql -q -d postgres -c "CHECKPOINT"; sync
}
cpu_begin() { CPU_B=$(busy_jiffies); CPU_W=$(worker_jiffies); CPU_T=$(date +%s.%N); }
cpu_end() { awk -v b="$(( $(busy_jiffies) - CPU_B ))" -v w="$(( $(worker_jiffies) - CPU_W ))" -v hz="$HZ" \
  -v t0="$CPU_T" -v t1="$(date +%s.%N)" \
  'BEGIN { printf "%.1f cpu-s (worker %.1f), %.2f cores busy", b/hz, w/hz, b/hz/(t1-t0) }'; }
cpu_secs() { echo "$(( $(busy_jiffies) - CPU_B ))" "$HZ" | awk '{printf "%.2f", $1/$2}'; } # machine CPU-s since cpu_begin
worker_secs() { echo "$(( $(worker_jiffies) - CPU_W ))" "$HZ" | awk '{printf "%.2f", $1/$2}'; } # the worker's, likewise
same() { diff <(psql -d "$1" -tA -f demo/fingerprint.sql) <(psql -d $DB -tA -f demo/fingerprint.sql) > /dev/null && echo yes || echo NO; }

backup=$(api -X POST -d '{"backup_type":"manual"}' localhost:18180/api/backup/create | jq -r .job_id)
wait_job "$backup"
pg_dump -Fc -Z6 -f "$WORK/full.z6" "$DB"

# (a) from nothing
settle; rebuild=$(api -X POST -d "{\"backup_id\":\"$backup\",\"create_database\":\"$OURS_NEW\"}" localhost:18180/api/backup/restore | jq -r .job_id)
cpu_begin; wait_job "$rebuild"; worker_new_cpu=$(worker_secs); cpu_new=$(cpu_end)
ours_new_ms=$(job_ms "$rebuild")
# pg_restore --create would recreate the source's own name: the same work under another name is a fresh database
createdb -T template0 "$THEIRS_NEW"
settle; cpu_begin; theirs_1tx=$(timed pg_restore --single-transaction -d "$THEIRS_NEW" "$WORK/full.z6"); cpu_1tx=$(cpu_end)
same_new=$(same "$OURS_NEW"); same_pg_new=$(same "$THEIRS_NEW")
drop "$OURS_NEW" "$THEIRS_NEW"; createdb -T template0 "$THEIRS_NEW"
settle; cpu_begin; theirs_j2=$(timed pg_restore -j2 -d "$THEIRS_NEW" "$WORK/full.z6"); cpu_j2=$(cpu_end)
# and as ours runs its side-by-side connections: without the server's parallel workers, and with the sort and hash
# memory our restore's sessions get (RESTORE_MEMORY above); the fastest of the three counts
drop "$THEIRS_NEW"; createdb -T template0 "$THEIRS_NEW"
settle; cpu_begin; theirs_j2s=$(timed env \
  PGOPTIONS="-c max_parallel_maintenance_workers=0 -c max_parallel_workers_per_gather=0 -c maintenance_work_mem=$RESTORE_MEMORY -c work_mem=$RESTORE_MEMORY" pg_restore -j2 -d "$THEIRS_NEW" "$WORK/full.z6"); cpu_j2s=$(cpu_end)

# (c) a restore drill of the same backup: throw-away database, rows, schema compared, dropped (its RTO)
settle; drill=$(api -X POST -d "{\"backup_id\":\"$backup\"}" localhost:18180/api/backup/drills | jq -r .job_id)
cpu_begin; wait_job "$drill"; cpu_drill=$(cpu_end)
drill_rto_ms=$(psql -d $CATALOG -tAc "SELECT result->>'recovery_ms' FROM worker.jobs WHERE id = '$drill'")

# (b) replace the rows of a populated database
createdb -T template0 $OURS_REPLACE; pg_restore -d $OURS_REPLACE "$WORK/full.z6"
createdb -T template0 $THEIRS_REPLACE; pg_restore -d $THEIRS_REPLACE "$WORK/full.z6"
drop "$THEIRS_NEW"
# vacuumed and analyzed now, as a database in use would be, rather than by autovacuum during a timed restore
vacuumdb -q -z -d $OURS_REPLACE; vacuumdb -q -z -d $THEIRS_REPLACE
settle; replace=$(api -X POST -d "{\"backup_id\":\"$backup\",\"target\":\"bench\",\"skip_safety_backup\":true}" \
  localhost:18180/api/backup/restore | jq -r .job_id)
cpu_begin; wait_job "$replace"; cpu_replace=$(cpu_end)
ours_replace_ms=$(job_ms "$replace")
settle; cpu_begin
theirs_clean=$(timed pg_restore --clean --if-exists --single-transaction -d $THEIRS_REPLACE "$WORK/full.z6")
cpu_clean=$(cpu_end)
same_replace=$(same "$OURS_REPLACE")

# the floors: pg_restore's two sections apart (one backend each, in one transaction), the data also loaded as ours is,
# then every row read back as COPY text in one session, as our check reads it (extra_float_digits = 3, as the restore
# sets it)
FLOOR_DB=taskagent_bench_floor
drop $FLOOR_DB; createdb -T template0 $FLOOR_DB
pg_restore --single-transaction --section=pre-data -d $FLOOR_DB "$WORK/full.z6"
# the data section's CPU without pg_restore's own (reading and inflating the dump: our worker's share does that for ours)
settle; cpu_begin; /usr/bin/time -f "%e %U %S" -o "$WORK/t" pg_restore --single-transaction --section=data -d $FLOOR_DB "$WORK/full.z6"
data_cpu=$(cpu_secs); read -r data_s client_u client_s < "$WORK/t"
data_cpu=$(awk -v a="$data_cpu" -v u="$client_u" -v s="$client_s" 'BEGIN { printf "%.2f", a - u - s }')
# the same rows loaded the way ours are: COPY's binary format, FREEZE into a table emptied in the loading transaction
# (each table written out in binary first, not timed); the floors take the cheaper of the two loads
tables=$(psql -d $FLOOR_DB -tAc "SELECT format('%I.%I', n.nspname, c.relname) FROM pg_class c JOIN pg_namespace n
  ON n.oid = c.relnamespace WHERE c.relkind = 'r' AND n.nspname NOT IN ('pg_catalog', 'information_schema')
  AND n.nspname NOT LIKE 'pg_toast%'")
mkdir "$WORK/binary"
for t in $tables; do psql -q -d $FLOOR_DB -c "COPY $t TO STDOUT (FORMAT binary)" > "$WORK/binary/$t"; done
load_binary() {
  for t in $tables; do
    psql -q -1 -d $FLOOR_DB -c "TRUNCATE $t" -c "COPY $t FROM STDIN (FORMAT binary, FREEZE)" < "$WORK/binary/$t"
  done
}
settle; cpu_begin; SECONDS_0=$(date +%s.%N); load_binary; bin_cpu=$(cpu_secs)
bin_s=$(awk -v a="$SECONDS_0" -v b="$(date +%s.%N)" 'BEGIN { printf "%.2f", b - a }')
settle; cpu_begin; post_s=$(timed pg_restore --single-transaction --section=post-data -d $FLOOR_DB "$WORK/full.z6"); post_cpu=$(cpu_secs)
readback_script() {
  echo "SET extra_float_digits = 3;"
  psql -d $FLOOR_DB -tAc "SELECT format('COPY %I.%I TO STDOUT;', n.nspname, c.relname) FROM pg_class c
    JOIN pg_namespace n ON n.oid = c.relnamespace WHERE c.relkind = 'r' AND n.nspname NOT IN ('pg_catalog', 'information_schema')
    AND n.nspname NOT LIKE 'pg_toast%'"
}
readback_script > "$WORK/readback.sql"
psql -q -d $FLOOR_DB -f "$WORK/readback.sql" > /dev/null # the first read after a load sets hint bits: not counted
settle; cpu_begin; readback_s=$(timed psql -q -d $FLOOR_DB -f "$WORK/readback.sql"); readback_cpu=$(cpu_secs)
drop $FLOOR_DB

# the fastest pg_restore of (a), what its ratio and floor are taken against
best=$(awk -v a="$theirs_1tx" -v b="$theirs_j2" -v c="$theirs_j2s" 'BEGIN { m = a < b ? a : b; print (c < m ? c : m) }')
awk -v scale="$SCALE" -v rto="$drill_rto_ms" -v new="$ours_new_ms" -v t1="$theirs_1tx" -v j2="$theirs_j2" -v rep="$ours_replace_ms" \
    -v best="$best" -v j2s="$theirs_j2s" -v clean="$theirs_clean" -v s1="$same_new" -v s2="$same_replace" -v s3="$same_pg_new" 'BEGIN {
  printf "scale %s\n", scale
  printf "(a) %-62s %8.2f s\n", "worker create_database (schema, load, keys, every row checked)", new/1000
  printf "    %-62s %8.2f s\n", "pg_restore --single-transaction (full -Fc -Z6 dump, empty db)", t1
  printf "    %-62s %8.2f s\n", "pg_restore -j2 (full -Fc -Z6 dump, empty db)", j2
  printf "    %-62s %8.2f s\n", "pg_restore -j2, no parallel workers, with our sort memory", j2s
  printf "    ratio %.2f against the faster (goal <= 0.8); fingerprints equal: ours %s, pg_restore %s\n", (new/1000)/best, s1, s3
  printf "(c) %-62s %8.2f s\n", "restore drill: recovery time (RTO) to a usable, checked database", rto/1000
  printf "    ratio %.2f against pg_restore --single-transaction (goal <= 0.5)\n", (rto/1000)/t1
  printf "(b) %-62s %8.2f s\n", "worker replace restore (no safety backup, every row checked)", rep/1000
  printf "    %-62s %8.2f s\n", "pg_restore --clean --if-exists --single-transaction", clean
  printf "    ratio %.2f (goal <= 1.0); fingerprint equal: %s\n", (rep/1000)/clean, s2
}'
awk -v d="$data_s" -v dc="$data_cpu" -v bd="$bin_s" -v bdc="$bin_cpu" -v p="$post_s" -v pc="$post_cpu" -v r="$readback_s" \
    -v rc="$readback_cpu" -v w="$worker_new_cpu" -v cores="$CORES" \
    -v best="$best" -v clean="$theirs_clean" 'BEGIN {
  printf "floors (what checking every row costs here):\n"
  printf "    pg_restore --section=data %.2f s (%.1f cpu-s besides pg_restore itself); the same rows as binary COPY FREEZE %.2f s (%.1f cpu-s)\n", d, dc, bd, bdc
  printf "    pg_restore --section=post-data %.2f s (%.1f cpu-s); every row read back as COPY text %.2f s (%.1f cpu-s)\n", p, pc, r, rc
  if (bd < d) { d = bd; dc = bdc }
  fa = (dc + pc + rc + w) / cores
  printf "(a) floor: (data + post-data + read-back + our worker %.1f cpu-s) / %d cores = %.2f s = %.2fx the faster pg_restore (goal 0.8)\n", w, cores, fa, fa / best
  printf "    of which the server reading every row back: %.1f cpu-s / %d cores = %.2f s = %.2fx the faster pg_restore\n", rc, cores, rc / cores, rc / cores / best
  fb = d + p + rc / cores
  printf "(b) floor: data + post-data on one backend + read-back %.1f cpu-s / %d cores = %.2f s = %.2fx pg_restore --clean -1 (goal 1.0)\n", rc, cores, fb, fb / clean
}'
echo "machine CPU ($CORES cores) during each step:"
echo "  create_database $cpu_new; pg_restore -1 $cpu_1tx; pg_restore -j2 $cpu_j2; the same without parallel workers, with our memory $cpu_j2s"
echo "  drill (restore, checks, drop) $cpu_drill"
echo "  replace $cpu_replace; pg_restore --clean -1 $cpu_clean"
echo "phases (ms): create_database $(phases "$rebuild")"
echo "              replace $(phases "$replace")"
