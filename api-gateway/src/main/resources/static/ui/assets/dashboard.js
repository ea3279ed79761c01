// TaskAgent backup dashboard: times in the viewer's zone, and live updates from the gateway's server-sent events.
// Progressive enhancement only: every page works without it (links, forms, full reloads).
(function () {
    'use strict';

    // --- times: <time datetime="...Z"> shown in the viewer's zone, UTC kept in the title -------------------------
    var relative = typeof Intl !== 'undefined' && Intl.RelativeTimeFormat
        ? new Intl.RelativeTimeFormat(undefined, {numeric: 'auto'}) : null;

    function ago(date) {
        var seconds = Math.round((date.getTime() - Date.now()) / 1000);
        var abs = Math.abs(seconds);
        var units = [['day', 86400], ['hour', 3600], ['minute', 60], ['second', 1]];
        for (var i = 0; i < units.length; i++) {
            if (abs >= units[i][1] || units[i][0] === 'second') {
                var value = Math.round(seconds / units[i][1]);
                return relative ? relative.format(value, units[i][0])
                    : (value < 0 ? -value + ' ' + units[i][0] + 's ago' : 'in ' + value + ' ' + units[i][0] + 's');
            }
        }
        return '';
    }

    function renderTimes(root) {
        var times = (root || document).querySelectorAll ? (root || document).querySelectorAll('time[datetime]') : [];
        for (var i = 0; i < times.length; i++) {
            var t = times[i];
            var date = new Date(t.getAttribute('datetime'));
            if (isNaN(date.getTime())) {
                continue;
            }
            if (!t.title) {
                t.title = date.toISOString().replace('T', ' ').replace(/\.\d+Z$/, ' UTC');
            }
            if (t.classList.contains('ago')) {
                t.textContent = ago(date);
                t.setAttribute('aria-label', date.toLocaleString());
            } else {
                t.textContent = date.toLocaleString();
            }
        }
    }

    setInterval(function () {
        var agos = document.querySelectorAll('time.ago[datetime]');
        for (var i = 0; i < agos.length; i++) {
            agos[i].textContent = ago(new Date(agos[i].getAttribute('datetime')));
        }
    }, 30000);

    // --- live updates -------------------------------------------------------------------------------------------
    // Regions marked data-live re-read themselves (htmx, hx-trigger "live from:body") when a job starts or ends;
    // progress bars move on each BackupProgress event without a request.
    var LIFECYCLE = ['BackupStarted', 'BackupCompleted', 'BackupFailed', 'BackupOversized', 'BackupReplicated',
        'ReplicationFailed', 'RestoreCompleted', 'RestoreFailed', 'VerifyCompleted', 'VerifyFailed', 'DrillPassed',
        'DrillFailed', 'CleanupCompleted', 'SchedulerStateChanged', 'ScheduleRejected', 'AlertSettingsChanged'];
    var pending = null;

    function refresh() {
        if (pending) {
            return;
        }
        pending = setTimeout(function () {
            pending = null;
            if (window.htmx) {
                window.htmx.trigger(document.body, 'live');
            }
        }, 200);
    }

    function number(n) {
        return Number(n).toLocaleString('en-US');
    }

    function progressText(p) {
        var parts = [p.rows_estimated > 0 ? number(p.rows_done) + ' / ' + number(p.rows_estimated) + ' rows'
            : number(p.rows_done) + ' rows'];
        if (p.table_count > 0) {
            parts.push((p.tables_done || 0) + ' / ' + p.table_count + ' tables');
        }
        if (p.phase) {
            parts.push(String(p.phase).replace(/_/g, ' '));
        }
        return parts.join(' \u00b7 ');
    }

    function onProgress(p) {
        var holders = document.querySelectorAll('[data-job-id="' + p.job_id + '"]');
        if (holders.length === 0) {
            refresh(); // a job this page does not show yet
            return;
        }
        for (var i = 0; i < holders.length; i++) {
            var bar = holders[i].querySelector('progress');
            var text = holders[i].querySelector('.progress-text');
            if (!bar || !text) {
                refresh(); // e.g. shown as queued: re-read the row
                continue;
            }
            var byRows = p.rows_estimated > 0;
            var max = byRows ? p.rows_estimated : p.table_count;
            if (max > 0) {
                bar.max = max;
                bar.value = Math.min(byRows ? p.rows_done : (p.tables_done || 0), max);
                bar.textContent = Math.round(100 * bar.value / max) + ' %';
            }
            text.textContent = progressText(p);
        }
    }

    function connect() {
        if (!document.querySelector('[data-live]') || typeof EventSource === 'undefined') {
            return;
        }
        var dot = document.getElementById('live-dot');
        var source = new EventSource('/ui/events');
        source.onopen = function () {
            document.body.setAttribute('data-live', 'connected');
            if (dot) {
                dot.title = 'live updates: connected';
            }
        };
        source.onerror = function () {
            document.body.setAttribute('data-live', 'lost');
            if (dot) {
                dot.title = 'live updates: reconnecting (the page still refreshes itself)';
            }
        };
        LIFECYCLE.forEach(function (name) {
            source.addEventListener(name, refresh);
        });
        source.addEventListener('BackupProgress', function (e) {
            try {
                onProgress(JSON.parse(e.data));
            } catch (ignored) {
                refresh();
            }
        });
        window.addEventListener('pagehide', function () {
            source.close();
        });
    }

    function start() {
        renderTimes(document);
        if (window.htmx) {
            window.htmx.onLoad(renderTimes);
            document.body.addEventListener('htmx:responseError', function (e) {
                var note = document.getElementById('note');
                if (note && e.detail && e.detail.xhr) {
                    note.innerHTML = '';
                    var p = document.createElement('p');
                    p.className = 'note failed';
                    p.textContent = 'Could not refresh (HTTP ' + e.detail.xhr.status + '). Reload the page.';
                    note.appendChild(p);
                }
            });
        }
        connect();
    }

    if (document.readyState === 'loading') {
        document.addEventListener('DOMContentLoaded', start);
    } else {
        start();
    }
}());
