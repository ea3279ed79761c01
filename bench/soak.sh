#!/usr/bin/env bash
# Soak (issue #16, scenario 8): many small backups with verifies and cleanups interleaved; the worker stays flat.
#
#   bench/soak.sh [backups]        (default 300; a multiple of 5, at least 50)
#
# Runs the system test SoakIT with -Dsoak.backups=<backups>: the worker, scheduler, alert service and gateway started
# from their jars (packaged here first, by the same Maven run) on a private catalog and a small demo source; the
# backups requested through the API five at a time, a verify of the newest every 10 backups and a real retention
# cleanup (keep the newest 10 manual backups) every 25. The worker process is sampled after a warm-up of 25 backups
# (a verify and a cleanup among them), every 50 and at the end: heap used after a full GC (jcmd GC.run), RSS and
# native memory (RSS less the committed heap), open file descriptors, live threads, loaded classes, its catalog and
# source connections, its broker connections and channels. Prints that table (system-tests/target/soak-figures.txt)
# and the wall time, and fails when a job failed, a cleanup deleted nothing or a figure grew past its tolerance.
# PostgreSQL and RabbitMQ as for the tests (PGHOST..., RABBITMQ_HOST...); RABBITMQ_VHOST gives the run a virtual host
# of its own (it must exist). MAVEN_OPTS / extra Maven arguments: SOAK_MAVEN_ARGS (e.g. -o). The services run with
# the JVM's defaults and -Xmx256m, as in production (SOAK_SERVICE_JVM), not the system tests' quick-start options.
set -euo pipefail
cd "$(dirname "$0")/.."
BACKUPS=${1:-300}
FIGURES=system-tests/target/soak-figures.txt
LOG=$(mktemp /tmp/taskagent-soak.XXXXXX.log)
rm -f "$FIGURES"

start=$SECONDS
status=0
# shellcheck disable=SC2086
mvn -B ${SOAK_MAVEN_ARGS:-} verify -pl system-tests -am -Pfaults -Dsoak.backups="$BACKUPS" -Dit.test=SoakIT \
  -Dsystem.test.service.jvm="${SOAK_SERVICE_JVM:--Xmx256m}" \
  -Dtest=none -Dsurefire.failIfNoSpecifiedTests=false -Dfailsafe.failIfNoSpecifiedTests=false > "$LOG" 2>&1 || status=$?
elapsed=$((SECONDS - start))

if [ -f "$FIGURES" ]; then
  cat "$FIGURES"
else
  echo "no figures: SoakIT did not get to its samples" >&2
fi
grep -E "Tests run:|FAIL|BUILD" "$LOG" | grep -v "^\[INFO\] Tests run: 0" | tail -n 5 || true
echo "wall time of the whole run (build, start-up, soak): ${elapsed} s; Maven's output: $LOG"
if [ "$status" -ne 0 ]; then
  echo "SoakIT failed (exit $status): see $LOG and system-tests/target/failsafe-reports/" >&2
  grep -E -A12 "<<< (FAILURE|ERROR)" "$LOG" | head -n 40 >&2 || true
fi
exit "$status"
