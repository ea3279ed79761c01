// The backups page's charts (Chart.js from its WebJar): size and rows of the successful backups over time, the
// backups the alert service found anomalous marked (a red triangle, the findings in the tooltip); and how long each
// backup's dump took.
(function () {
    'use strict';

    function css(name, fallback) {
        var value = getComputedStyle(document.documentElement).getPropertyValue(name);
        return value && value.trim() ? value.trim() : fallback;
    }

    function labelsOf(points) {
        return points.map(function (p) {
            return new Date(p.at).toLocaleString(undefined, {dateStyle: 'short', timeStyle: 'short'});
        });
    }

    /** Per point: the anomalous ones stand out (bigger, a triangle, the alarm colour). */
    function marked(points, normal, anomalous) {
        return points.map(function (p) { return p.anomaly ? anomalous : normal; });
    }

    function sizeAndRows(canvas) {
        var points = JSON.parse(canvas.getAttribute('data-chart') || '[]');
        var bad = css('--bad', '#b3261e');
        var size = css('--chart-size', '#1f5fbf');
        var rows = css('--chart-rows', '#17723a');
        var chart = new window.Chart(canvas, {
            type: 'line',
            data: {
                labels: labelsOf(points),
                datasets: [{
                    label: 'Size (MiB)',
                    data: points.map(function (p) { return Math.round(p.size_bytes / 1048576 * 100) / 100; }),
                    borderColor: size,
                    backgroundColor: size,
                    pointBackgroundColor: marked(points, size, bad),
                    pointBorderColor: marked(points, size, bad),
                    pointStyle: marked(points, 'circle', 'triangle'),
                    pointRadius: marked(points, 3, 9),
                    pointHoverRadius: marked(points, 5, 11),
                    yAxisID: 'size',
                    tension: 0.2
                }, {
                    label: 'Rows',
                    data: points.map(function (p) { return p.rows; }),
                    borderColor: rows,
                    backgroundColor: rows,
                    pointBackgroundColor: marked(points, rows, bad),
                    pointBorderColor: marked(points, rows, bad),
                    pointStyle: marked(points, 'circle', 'triangle'),
                    pointRadius: marked(points, 3, 9),
                    pointHoverRadius: marked(points, 5, 11),
                    borderDash: [6, 4],
                    yAxisID: 'rows',
                    tension: 0.2
                }]
            },
            options: {
                responsive: true,
                maintainAspectRatio: false,
                animation: false,
                interaction: {mode: 'index', intersect: false},
                plugins: {
                    tooltip: {
                        callbacks: {
                            afterBody: function (items) {
                                var p = items.length ? points[items[0].dataIndex] : null;
                                return p && p.anomaly ? ['Anomaly:'].concat(p.anomaly) : [];
                            }
                        }
                    }
                },
                scales: {
                    size: {type: 'linear', position: 'left', beginAtZero: true, title: {display: true, text: 'MiB'}},
                    rows: {type: 'linear', position: 'right', beginAtZero: true, title: {display: true, text: 'rows'},
                        grid: {drawOnChartArea: false}}
                }
            }
        });
        canvas.setAttribute('data-drawn', String(chart.data.labels.length));
        canvas.setAttribute('data-marked', String(points.filter(function (p) { return p.anomaly; }).length));
    }

    function duration(canvas) {
        var points = JSON.parse(canvas.getAttribute('data-chart') || '[]');
        var color = css('--chart-duration', css('--accent', '#1f5fbf'));
        var chart = new window.Chart(canvas, {
            type: 'bar',
            data: {
                labels: labelsOf(points),
                datasets: [{
                    label: 'Duration (s)',
                    data: points.map(function (p) { return p.duration_seconds; }),
                    backgroundColor: marked(points, color, css('--bad', '#b3261e')),
                    borderColor: marked(points, color, css('--bad', '#b3261e'))
                }]
            },
            options: {
                responsive: true,
                maintainAspectRatio: false,
                animation: false,
                scales: {y: {beginAtZero: true, title: {display: true, text: 'seconds'}}}
            }
        });
        canvas.setAttribute('data-drawn', String(chart.data.labels.length));
    }

    function draw() {
        if (!window.Chart) {
            return;
        }
        window.Chart.defaults.color = css('--fg', '#1b1f24');
        window.Chart.defaults.borderColor = css('--line', '#d9dde3');
        var canvas = document.getElementById('backup-chart');
        if (canvas) {
            sizeAndRows(canvas);
        }
        var durations = document.getElementById('duration-chart');
        if (durations) {
            duration(durations);
        }
    }

    if (document.readyState === 'loading') {
        document.addEventListener('DOMContentLoaded', draw);
    } else {
        draw();
    }
}());
