// The backups page's chart: size and rows of the successful backups over time (Chart.js from its WebJar).
(function () {
    'use strict';

    function css(name, fallback) {
        var value = getComputedStyle(document.documentElement).getPropertyValue(name);
        return value && value.trim() ? value.trim() : fallback;
    }

    function draw() {
        var canvas = document.getElementById('backup-chart');
        if (!canvas || !window.Chart) {
            return;
        }
        var points = JSON.parse(canvas.getAttribute('data-chart') || '[]');
        var labels = points.map(function (p) {
            return new Date(p.at).toLocaleString(undefined, {dateStyle: 'short', timeStyle: 'short'});
        });
        var fg = css('--fg', '#1b1f24');
        var line = css('--line', '#d9dde3');
        window.Chart.defaults.color = fg;
        window.Chart.defaults.borderColor = line;
        var chart = new window.Chart(canvas, {
            type: 'line',
            data: {
                labels: labels,
                datasets: [{
                    label: 'Size (MiB)',
                    data: points.map(function (p) { return Math.round(p.size_bytes / 1048576 * 100) / 100; }),
                    borderColor: css('--chart-size', '#1f5fbf'),
                    backgroundColor: css('--chart-size', '#1f5fbf'),
                    yAxisID: 'size',
                    tension: 0.2
                }, {
                    label: 'Rows',
                    data: points.map(function (p) { return p.rows; }),
                    borderColor: css('--chart-rows', '#17723a'),
                    backgroundColor: css('--chart-rows', '#17723a'),
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
                scales: {
                    size: {type: 'linear', position: 'left', beginAtZero: true, title: {display: true, text: 'MiB'}},
                    rows: {type: 'linear', position: 'right', beginAtZero: true, title: {display: true, text: 'rows'},
                        grid: {drawOnChartArea: false}}
                }
            }
        });
        canvas.setAttribute('data-drawn', String(chart.data.labels.length));
    }

    if (document.readyState === 'loading') {
        document.addEventListener('DOMContentLoaded', draw);
    } else {
        draw();
    }
}());
