#!/usr/bin/env bash
# Builds what is missing and runs the four services in the foreground against the local PostgreSQL and RabbitMQ.
# Each service logs to logs/<service>.log. Ctrl-C (SIGINT) or SIGTERM stops them all.
#
# Environment (all optional):
#   PGHOST, PGPORT, PGUSER, PGPASSWORD     the PostgreSQL server (default 127.0.0.1:5432, postgres)
#   CATALOG_DB                             the catalog database (default backup_catalog)
#   BACKUP_SOURCE_URL                      the database to protect (default jdbc:postgresql://$PGHOST:$PGPORT/taskagent);
#                                          created with the demo TaskAgent data if it does not exist
#   DEMO_SCALE                             size of that demo data (default 1: 200,000 tasks)
#   BACKUP_ADMIN_TOKEN                     the secret of the all-scopes API token; generated and printed once if unset
#   BACKUP_MANAGEMENT_TOKEN                the services' management credential (health details, metrics); generated if unset
#   BACKUP_STORAGE_DIR                     where backups go (default ./backups)
#   SPRING_RABBITMQ_HOST/PORT/USERNAME/PASSWORD, SPRING_MAIL_HOST/PORT, ALERT_MAIL_RECIPIENTS: see README
set -euo pipefail
cd "$(dirname "$0")"

export PGHOST=${PGHOST:-127.0.0.1} PGPORT=${PGPORT:-5432} PGUSER=${PGUSER:-postgres}
CATALOG_DB=${CATALOG_DB:-backup_catalog}
export BACKUP_SOURCE_URL=${BACKUP_SOURCE_URL:-jdbc:postgresql://$PGHOST:$PGPORT/taskagent}
export BACKUP_SOURCE_USERNAME=${BACKUP_SOURCE_USERNAME:-$PGUSER}
export BACKUP_SOURCE_PASSWORD=${BACKUP_SOURCE_PASSWORD:-${PGPASSWORD:-}}
export SPRING_DATASOURCE_URL=${SPRING_DATASOURCE_URL:-jdbc:postgresql://$PGHOST:$PGPORT/$CATALOG_DB}
export SPRING_DATASOURCE_USERNAME=${SPRING_DATASOURCE_USERNAME:-$PGUSER}
export SPRING_DATASOURCE_PASSWORD=${SPRING_DATASOURCE_PASSWORD:-${PGPASSWORD:-}}
export BACKUP_STORAGE_DIR=${BACKUP_STORAGE_DIR:-$PWD/backups}
DEMO_SCALE=${DEMO_SCALE:-1}
SERVICES=(backup-worker alert-service scheduler-service api-gateway)

# 0. what it needs, each checked with the command that starts or installs it
port_open() { (exec 3<>"/dev/tcp/$1/$2") 2>/dev/null; }
need() { # command, how to get it
  if ! command -v "$1" > /dev/null 2>&1; then
    echo "run.sh needs '$1', which is not installed: $2" >&2
    exit 1
  fi
}
need java "install a JDK 17 or newer (Debian: apt-get install openjdk-17-jdk-headless)"
need mvn "install Maven (Debian: apt-get install maven)"
need curl "install curl (Debian: apt-get install curl)"
need psql "install the PostgreSQL client (Debian: apt-get install postgresql-client)"
if ! port_open "$PGHOST" "$PGPORT"; then
  echo "PostgreSQL is not reachable on $PGHOST:$PGPORT. Start it (here: pg_ctlcluster --skip-systemctl-redirect" \
       "\$(ls /etc/postgresql) main start; or docker compose up -d postgres) or set PGHOST/PGPORT." >&2
  exit 1
fi
RABBIT_HOST=${SPRING_RABBITMQ_HOST:-127.0.0.1} RABBIT_PORT=${SPRING_RABBITMQ_PORT:-5672}
if ! port_open "$RABBIT_HOST" "$RABBIT_PORT"; then
  echo "RabbitMQ is not reachable on $RABBIT_HOST:$RABBIT_PORT. Start it (here: rabbitmq-server -detached; or" \
       "docker compose up -d rabbitmq) or set SPRING_RABBITMQ_HOST/SPRING_RABBITMQ_PORT." >&2
  exit 1
fi

# 1. build when a jar is missing or older than any source it is built from
stale=0
for s in "${SERVICES[@]}"; do
  jar="$s/target/$s-0.1.0-SNAPSHOT-exec.jar"
  if [ ! -f "$jar" ] || [ -n "$(find "$s/src" "$s/pom.xml" shared-model/src shared-model/pom.xml pom.xml \
                                   -newer "$jar" -type f -print -quit)" ]; then
    stale=1
  fi
done
if [ "$stale" = 1 ]; then
  echo "building the services (mvn -B -q -DskipTests package)..."
  mvn -B -q -DskipTests package
fi

# 2. databases
db_exists() { psql -d postgres -tAc "SELECT 1 FROM pg_database WHERE datname = '$1'" | grep -q 1; }
if ! db_exists "$CATALOG_DB"; then
  echo "creating catalog database $CATALOG_DB"
  createdb "$CATALOG_DB"
fi
source_db=${BACKUP_SOURCE_URL##*/}; source_db=${source_db%%\?*}
source_hostport=${BACKUP_SOURCE_URL#jdbc:postgresql://}; source_hostport=${source_hostport%%/*}
if [ "$source_hostport" = "$PGHOST:$PGPORT" ] || [ "$source_hostport" = "localhost:$PGPORT" ]; then
  if ! db_exists "$source_db"; then
    echo "creating the demo TaskAgent database $source_db (scale $DEMO_SCALE)..."
    createdb "$source_db"
    psql -q -X -v ON_ERROR_STOP=1 -o /dev/null -d "$source_db" -f demo/schema.sql
    psql -q -X -v ON_ERROR_STOP=1 -o /dev/null -d "$source_db" -v scale="$DEMO_SCALE" -f demo/generate.sql
  fi
fi

# 3. the admin token
if [ -z "${BACKUP_ADMIN_TOKEN:-}" ]; then
  BACKUP_ADMIN_TOKEN=$(head -c 24 /dev/urandom | od -An -tx1 | tr -d ' \n')
  echo "generated an admin API token (shown only now; set BACKUP_ADMIN_TOKEN to choose your own):"
  echo "  export TOKEN=$BACKUP_ADMIN_TOKEN"
fi
export BACKUP_ADMIN_TOKEN
# the management credential the four services share: the gateway's /api/backup/health presents it to read the others'
# health components, Prometheus to scrape /actuator/prometheus; without it health shows each service's status alone
if [ -z "${BACKUP_MANAGEMENT_TOKEN:-}" ]; then
  BACKUP_MANAGEMENT_TOKEN=$(head -c 24 /dev/urandom | od -An -tx1 | tr -d ' \n')
fi
export BACKUP_MANAGEMENT_TOKEN

# 4. start, and stop everything on SIGINT/SIGTERM or when one service dies
mkdir -p logs
pids=()
stopping=0
stop() {
  stopping=1
  trap - INT TERM EXIT
  echo "stopping services..."
  for pid in "${pids[@]}"; do kill "$pid" 2>/dev/null || true; done
  wait 2>/dev/null || true
}
trap stop INT TERM EXIT
for s in "${SERVICES[@]}"; do
  java ${JAVA_OPTS:-} -jar "$s/target/$s-0.1.0-SNAPSHOT-exec.jar" > "logs/$s.log" 2>&1 &
  pids+=($!)
  echo "started $s (pid $!, log logs/$s.log)"
done

# the banner only once every service reports healthy; a service that exits or stays unhealthy is named
declare -A PORTS=([api-gateway]=8080 [backup-worker]=8081 [scheduler-service]=8082 [alert-service]=8083)
for i in "${!SERVICES[@]}"; do
  s=${SERVICES[$i]}
  url="http://localhost:${PORTS[$s]}/actuator/health"
  healthy=0
  for _ in $(seq 1 120); do
    if ! kill -0 "${pids[$i]}" 2>/dev/null; then
      echo "$s exited while starting; the end of logs/$s.log:" >&2
      tail -n 20 "logs/$s.log" >&2
      exit 1
    fi
    if curl -fs "$url" 2>/dev/null | grep -q '"status":"UP"'; then healthy=1; break; fi
    sleep 1
  done
  if [ "$healthy" = 0 ]; then
    echo "$s is not healthy after 120 s ($url): $(curl -s "$url" 2>/dev/null | head -c 400)" >&2
    echo "see logs/$s.log" >&2
    exit 1
  fi
  echo "$s is healthy"
done
cat <<MSG

API: http://localhost:8080/api/backup  (Authorization: Bearer \$TOKEN)
  curl -X POST -H "Authorization: Bearer \$TOKEN" -H 'Content-Type: application/json' \\
       -d '{"backup_type":"manual"}' localhost:8080/api/backup/create
Backups in $BACKUP_STORAGE_DIR. Ctrl-C stops all services.
MSG

# returns when any service exits (or on a signal)
wait -n "${pids[@]}" || true
if [ "$stopping" = 0 ]; then
  echo "a service exited; see logs/ - stopping the others" >&2
fi
