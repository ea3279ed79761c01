package io.taskagent.backup.gateway.ui;

import io.taskagent.backup.model.BackupMessage;
import io.taskagent.backup.model.ConfigureSchedule;
import io.taskagent.backup.model.RequestBackup;
import io.taskagent.backup.model.RequestDrill;
import io.taskagent.backup.model.RequestRestore;
import io.taskagent.backup.model.RequestVerify;
import io.taskagent.backup.model.Topology;
import io.taskagent.backup.testsupport.BrokerProbe;
import io.taskagent.backup.testsupport.Infrastructure;
import io.taskagent.backup.testsupport.ServiceSchemas;
import io.taskagent.backup.testsupport.Browser;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.MethodOrderer;
import org.junit.jupiter.api.Order;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestMethodOrder;
import org.openqa.selenium.By;
import org.openqa.selenium.Cookie;
import org.openqa.selenium.WebElement;
import org.openqa.selenium.support.ui.ExpectedConditions;
import org.springframework.amqp.core.Queue;
import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.beans.factory.annotation.Qualifier;
import org.springframework.beans.factory.annotation.Value;
import org.springframework.boot.test.context.SpringBootTest;
import org.springframework.test.annotation.DirtiesContext;
import org.springframework.test.context.DynamicPropertyRegistry;
import org.springframework.test.context.DynamicPropertySource;

import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.time.Duration;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.HexFormat;
import java.util.Map;
import java.util.UUID;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * The web dashboard in a real browser (Debian's Chromium, headless, through chromedriver) against the real gateway on
 * the real catalog and broker. The worker and the scheduler are played by {@link FakeWorker}: it writes their catalog
 * rows and sends their events to this gateway's live queue, so progress, failures and dry runs happen when the test
 * says. Every wait is an explicit condition, never a fixed sleep. Each page is saved under
 * {@code target/screenshots/}.
 */
@SpringBootTest(webEnvironment = SpringBootTest.WebEnvironment.RANDOM_PORT)
@DirtiesContext(classMode = DirtiesContext.ClassMode.AFTER_CLASS)
@TestMethodOrder(MethodOrderer.OrderAnnotation.class)
class DashboardBrowserIT {

    static final String CATALOG = "backup_catalog_it_gateway_ui";
    /**
     * The demo target, by a name of this test's own: a worker of another test on the shared broker may take the
     * dashboard's commands off the queue; it refuses a target it does not back up, instead of reporting progress.
     */
    static final String TARGET = "taskagent_demo";
    static final String ADMIN = "it-ui-admin-secret-0123456789";
    static final String READER = "it-ui-reader-secret-0123456789";
    /** Token names of this test's own (other tests on the shared broker send commands too: ours carry these). */
    static final String ADMIN_NAME = "dashboard-it-admin";
    static final String READER_NAME = "dashboard-it-reader";
    static final String FAILURE = "could not connect to the source database 'taskagent_demo': Connection refused";
    static final Path SCREENSHOTS = Path.of("target", "screenshots");

    static Browser browser;
    static BrokerProbe commands;
    static FakeWorker worker;
    static boolean catalogReady;
    /** The backup the jobs page starts (test 2), used by the later tests. */
    static UUID liveBackup;
    /** The week of daily backups written first, oldest first. */
    static final java.util.List<UUID> pastBackups = new java.util.ArrayList<>();

    @Value("${local.server.port}")
    int port;
    @Autowired
    @Qualifier("liveEventsQueue")
    Queue liveEventsQueue;

    /** A fresh catalog with the worker's, scheduler's and alert service's schemas, and a week of backup history. */
    static synchronized void catalog() {
        if (catalogReady) {
            return;
        }
        Infrastructure infra = Infrastructure.get();
        infra.dropDatabase(CATALOG);
        infra.ensureDatabase(CATALOG);
        for (String schema : new String[]{"worker", "scheduler", "alerts"}) {
            ServiceSchemas.create(CATALOG, schema);
        }
        try (FakeWorker history = new FakeWorker(CATALOG, TARGET)) {
            Instant now = Instant.now().truncatedTo(ChronoUnit.SECONDS);
            history.schedulerStarted(now.plus(Duration.ofHours(2)).plus(Duration.ofMinutes(13)));
            // one daily backup a day, the newest two days old: the target is degraded until a new one succeeds
            UUID drilled = null;
            for (int day = 9; day >= 2; day--) {
                UUID id = UUID.randomUUID();
                double scale = 0.82 + (9 - day) * 0.025;
                history.pastBackup(id, "daily", now.minus(Duration.ofDays(day)).minus(Duration.ofHours(3)), scale,
                        Math.round(7_400_000 * scale));
                drilled = day == 3 ? id : drilled;
                pastBackups.add(id);
            }
            history.pastDrill(drilled, now.minus(Duration.ofDays(3)).plus(Duration.ofHours(1)), 4_260);
        }
        catalogReady = true;
    }

    @DynamicPropertySource
    static void properties(DynamicPropertyRegistry registry) throws Exception {
        catalog();
        Infrastructure.get().springProperties(CATALOG).forEach((k, v) -> registry.add(k, () -> v));
        registry.add("gateway.target", () -> TARGET);
        registry.add("gateway.admin-token", () -> "");
        registry.add("gateway.tokens[0].name", () -> ADMIN_NAME);
        registry.add("gateway.tokens[0].sha256", () -> sha256(ADMIN));
        registry.add("gateway.tokens[0].scopes", () -> "backup:read,backup:write,backup:restore,scheduler:admin");
        registry.add("gateway.tokens[1].name", () -> READER_NAME);
        registry.add("gateway.tokens[1].sha256", () -> sha256(READER));
        registry.add("gateway.tokens[1].scopes", () -> "backup:read");
    }

    private static String sha256(String secret) {
        try {
            return HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256").digest(secret.getBytes()));
        } catch (java.security.NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        }
    }

    @BeforeAll
    static void startBrowser() throws Exception {
        Browser.requireOrSkip();
        catalog();
        commands = new BrokerProbe(Infrastructure.get()).capture(Topology.COMMANDS_EXCHANGE, "#");
        worker = new FakeWorker(CATALOG, TARGET);
        worker.requester(ADMIN_NAME);
        browser = Browser.start(SCREENSHOTS);
    }

    @AfterAll
    static void stopBrowser() throws Exception {
        if (browser != null) {
            browser.close();
        }
        if (worker != null) {
            worker.close();
        }
        if (commands != null) {
            // no worker or scheduler runs here: leave none of the commands the dashboard sent behind
            commands.purge(Topology.WORKER_COMMANDS_QUEUE);
            commands.purge(Topology.SCHEDULER_COMMANDS_QUEUE);
            commands.close();
        }
    }

    private String url(String path) {
        return "http://localhost:" + port + path;
    }

    /** Whether this test's dashboard sent the command (the broker is shared: other tests' commands show too). */
    private static boolean ours(BackupMessage command) {
        String by = command instanceof RequestBackup r ? r.requestedBy()
                : command instanceof RequestRestore r ? r.requestedBy()
                : command instanceof RequestVerify r ? r.requestedBy()
                : command instanceof RequestDrill d ? d.requestedBy()
                : command instanceof ConfigureSchedule c ? c.requestedBy()
                : command instanceof io.taskagent.backup.model.RequestCleanup c ? c.requestedBy() : null;
        return ADMIN_NAME.equals(by) || READER_NAME.equals(by);
    }

    private <T extends BackupMessage> T awaitCommand(Class<T> type, java.util.function.Predicate<T> filter) {
        return commands.awaitEvent(type, c -> ours(c) && filter.test(c), Duration.ofSeconds(10));
    }

    private <T extends BackupMessage> long sent(Class<T> type) {
        return commands.events().stream().filter(type::isInstance).filter(DashboardBrowserIT::ours).count();
    }

    private void signIn(String token) {
        browser.driver.get(url("/ui/sign-in"));
        WebElement field = browser.find("#token");
        field.clear();
        field.sendKeys(token);
        browser.find("#sign-in").click();
    }

    private void signOut() {
        browser.find("#sign-out").click();
        browser.until(10, "signed out", ExpectedConditions.presenceOfElementLocated(By.id("signed-out")));
    }

    private void awaitLive() {
        browser.until(10, "the live event stream connected",
                ExpectedConditions.attributeToBe(By.tagName("body"), "data-live", "connected"));
        worker.liveQueue(liveEventsQueue.getName());
    }

    /** Marks the loaded page; {@link #stillSamePage()} is true as long as it was not reloaded. */
    private void markPage() {
        browser.script("window.__dashboardTest = 'same page';");
    }

    private boolean stillSamePage() {
        return "same page".equals(browser.script("return window.__dashboardTest || null;"));
    }

    private String state(String target) {
        return browser.attribute("[data-target='" + target + "']", "data-state");
    }

    private String row(UUID job) {
        return "tr[data-job-id='" + job + "']";
    }

    private long progressValue(UUID job) {
        Object value = browser.script("var p = document.querySelector(arguments[0] + ' progress');"
                + " return p && p.hasAttribute('value') ? p.value : -1;", row(job));
        return ((Number) value).longValue();
    }

    @Test
    @Order(1)
    void aWrongTokenIsToldOnlyThatSignInFailedAndAnAdminTokenSignsIn() throws Exception {
        browser.driver.get(url("/"));
        browser.until(10, "the sign-in page", ExpectedConditions.urlContains("/ui/sign-in"));
        browser.screenshot("sign-in");

        signIn("not-a-token-at-all");
        WebElement failed = browser.until(10, "sign-in failed",
                ExpectedConditions.visibilityOfElementLocated(By.id("sign-in-failed")));
        assertThat(failed.getText()).isEqualTo("Sign-in failed.");
        assertThat(browser.driver.findElements(By.cssSelector("main .note"))).hasSize(1); // nothing said but that
        assertThat(browser.find("main").getText()).doesNotContainIgnoringCase("invalid")
                .doesNotContainIgnoringCase("unknown").doesNotContainIgnoringCase("no such");

        signIn(ADMIN);
        browser.until(10, "the overview", ExpectedConditions.presenceOfElementLocated(By.id("targets")));
        assertThat(browser.find("#signed-in-as").getText()).isEqualTo(ADMIN_NAME);
        Cookie session = browser.driver.manage().getCookieNamed("JSESSIONID");
        assertThat(session).isNotNull();
        assertThat(session.isHttpOnly()).isTrue();
        assertThat(session.getSameSite()).isEqualTo("Strict");

        // the REST API stays bearer-only and stateless: the dashboard's session cookie opens nothing there
        HttpResponse<String> api = HttpClient.newHttpClient().send(HttpRequest.newBuilder(
                        URI.create(url("/api/backup/status"))).header("Cookie", "JSESSIONID=" + session.getValue())
                .build(), HttpResponse.BodyHandlers.ofString());
        assertThat(api.statusCode()).isEqualTo(401);
        // ... and a form without the CSRF token is refused
        HttpResponse<String> forged = HttpClient.newHttpClient().send(HttpRequest.newBuilder(
                        URI.create(url("/ui/jobs/backup"))).header("Cookie", "JSESSIONID=" + session.getValue())
                .header("Content-Type", "application/x-www-form-urlencoded")
                .POST(HttpRequest.BodyPublishers.ofString("backup_type=manual")).build(),
                HttpResponse.BodyHandlers.ofString());
        assertThat(forged.statusCode()).isEqualTo(403);
        assertThat(sent(RequestBackup.class)).isZero();

        // the newest backup is two days old: degraded, saying why
        assertThat(state(TARGET)).isEqualTo("degraded");
        assertThat(browser.text("[data-target='" + TARGET + "'] .reasons")).contains("No successful backup within");
    }

    @Test
    @Order(2)
    void aBackupStartedOnTheJobsPageShowsItsProgressBarMoveAndFinishWithoutAReload() throws Exception {
        browser.driver.get(url("/ui/jobs"));
        awaitLive();
        markPage();

        browser.find("#start-backup-button").click();
        RequestBackup request = awaitCommand(RequestBackup.class, r -> true);
        assertThat(request.backupType()).isEqualTo("manual");
        assertThat(request.requestedBy()).isEqualTo(ADMIN_NAME);
        UUID job = request.jobId();
        liveBackup = job;
        browser.until(10, "the note naming the job", ExpectedConditions.textToBePresentInElementLocated(
                By.id("note"), job.toString()));
        // confirmed by the broker, not yet picked up: queued at once
        browser.until(10, "the job queued", ExpectedConditions.attributeToBe(By.cssSelector(row(job)),
                "data-status", "QUEUED"));

        worker.started(job, "manual");
        browser.until(10, "the job running", ExpectedConditions.attributeToBe(By.cssSelector(row(job)),
                "data-status", "RUNNING"));
        long[][] steps = {{24_000, 1}, {98_000, 2}, {181_000, 3}};
        for (long[] step : steps) {
            worker.progress(job, "manual", step[0], (int) step[1]);
            browser.until(20, "the bar at " + step[0] + " rows", d -> progressValue(job) == step[0]);
            assertThat(browser.text(row(job) + " .progress-text"))
                    .contains(String.format(java.util.Locale.ROOT, "%,d / %,d rows", step[0], FakeWorker.totalRows()))
                    .contains(step[1] + " / 4 tables").contains("dumping");
            if (step[0] == 98_000) {
                browser.screenshot("jobs"); // mid-way, as docs/dashboard-jobs.png shows it
            }
        }
        worker.succeeded(job, "manual", 8_650_000);
        browser.until(10, "the job succeeded", ExpectedConditions.attributeToBe(By.cssSelector(row(job)),
                "data-status", "SUCCEEDED"));
        assertThat(progressValue(job)).isEqualTo(FakeWorker.totalRows());
        assertThat(stillSamePage()).as("the page was never reloaded").isTrue();
    }

    @Test
    @Order(3)
    void theOverviewShowsTheTargetHealthyAfterTheBackup() throws Exception {
        browser.driver.get(url("/"));
        assertThat(state(TARGET)).isEqualTo("healthy");
        String card = browser.text("[data-target='" + TARGET + "']");
        assertThat(card).contains("Healthy").contains("Last good backup").contains("recovery time")
                .contains("4.3 s").contains("Failures, last 24 h").contains("local").contains("offsite");
        assertThat(browser.find("#scheduler-state").getText()).isEqualTo("Running");
        assertThat(browser.find("[data-target='" + TARGET + "'] time.ago").getAttribute("title")).endsWith("UTC");
        browser.screenshot("overview");
    }

    @Test
    @Order(4)
    void aFailingBackupTurnsTheOverviewRedWithTheReasonLive() throws Exception {
        browser.driver.get(url("/"));
        awaitLive();
        markPage();
        worker.failed(UUID.randomUUID(), "daily", FAILURE);
        browser.until(20, "the target failing", d -> "failing".equals(state(TARGET)));
        assertThat(browser.text("[data-target='" + TARGET + "'] .state-label")).isEqualTo("Failing");
        assertThat(browser.text("[data-target='" + TARGET + "'] .reasons"))
                .contains("The last backup failed: " + FAILURE);
        assertThat(browser.text("[data-target='" + TARGET + "'] .failures")).isEqualTo("1");
        assertThat(browser.script("return getComputedStyle(document.querySelector(\"[data-target='" + TARGET + "']"
                + " .state-label\")).color")).isEqualTo(browser.script(
                "return getComputedStyle(document.querySelector('.failures.bad')).color"));
        assertThat(stillSamePage()).as("turned red without a reload").isTrue();
        browser.screenshot("overview-failing");
    }

    @Test
    @Order(5)
    void theBackupsPageFiltersChartsAndOpensABackupWithItsTablesCopiesAndActions() throws Exception {
        browser.driver.get(url("/ui/backups"));
        browser.until(10, "the chart drawn", d -> browser.find("#backup-chart").getAttribute("data-drawn") != null);
        assertThat(Integer.parseInt(browser.find("#backup-chart").getAttribute("data-drawn"))).isEqualTo(9);
        assertThat(browser.driver.findElements(By.cssSelector("table.history tbody tr"))).hasSize(10);
        browser.screenshot("backups");

        new org.openqa.selenium.support.ui.Select(browser.find("#status")).selectByValue("FAILED");
        browser.find("form[aria-label='Filter backups'] button").click();
        browser.until(10, "only the failed backup", ExpectedConditions.numberOfElementsToBe(
                By.cssSelector("table.history tbody tr"), 1));
        assertThat(browser.find("table.history tbody").getText()).contains(FAILURE);

        browser.driver.get(url("/ui/backups/" + liveBackup));
        assertThat(browser.find("#backup-status").getText()).isEqualTo("SUCCEEDED");
        assertThat(browser.find("#backup-tables").getText()).contains("public.tasks").contains("200,000");
        assertThat(browser.find("#backup-copies").getText()).contains("local").contains("offsite")
                .contains("AVAILABLE");
        assertThat(browser.present("#verify")).isTrue();
        assertThat(browser.present("#drill")).isTrue();
        assertThat(browser.present("#restore")).isTrue();

        browser.find("#verify").click();
        RequestVerify verify = awaitCommand(RequestVerify.class, v -> liveBackup.equals(v.backupId()));
        browser.until(10, "the verification requested", ExpectedConditions.textToBePresentInElementLocated(
                By.id("note"), "Verification requested: job " + verify.jobId()));
        awaitLive();
        worker.verified(verify.jobId(), liveBackup);
        browser.until(10, "the verification's result", ExpectedConditions.textToBePresentInElementLocated(
                By.cssSelector("#checks tr[data-job-id='" + verify.jobId() + "']"), "no problems"));

        browser.find("#drill").click();
        RequestDrill drill = awaitCommand(RequestDrill.class, d -> liveBackup.equals(d.backupId()));
        browser.until(10, "the drill requested", ExpectedConditions.textToBePresentInElementLocated(
                By.id("note"), "Restore drill requested: job " + drill.jobId()));
        awaitLive();
        worker.drillPassed(drill.jobId(), liveBackup, 3_870);
        browser.until(10, "the drill's recovery time", ExpectedConditions.textToBePresentInElementLocated(
                By.cssSelector("#checks tr[data-job-id='" + drill.jobId() + "']"), "recovery time 3.9 s"));
        browser.screenshot("backup");
    }

    @Test
    @Order(6)
    void theSchedulerFormShowsTheServersValidationNextToEachFieldAndSendsAValidChange() throws Exception {
        browser.driver.get(url("/ui/scheduler"));
        assertThat(browser.find("#scheduler-running").getText()).isEqualTo("Running");
        assertThat(browser.find("#schedules").getText()).contains("interval").contains("cleanup");

        WebElement keepDaily = browser.find("#keep_daily_backups");
        assertThat(keepDaily.getAttribute("value")).isEqualTo("30");
        keepDaily.clear();
        keepDaily.sendKeys("0");
        WebElement zone = browser.find("#time_zone");
        zone.clear();
        zone.sendKeys("Mars/Olympus_Mons");
        browser.find("#config-save").click();

        WebElement error = browser.until(10, "the error next to keep_daily_backups",
                ExpectedConditions.visibilityOfElementLocated(By.id("keep_daily_backups-error")));
        assertThat(error.getText()).isEqualTo("must be 1 to 365 but was 0");
        assertThat(browser.find("[data-field='keep_daily_backups']").getText()).contains("must be 1 to 365 but was 0");
        assertThat(browser.find("#keep_daily_backups").getAttribute("aria-invalid")).isEqualTo("true");
        assertThat(browser.find("#keep_daily_backups").getAttribute("aria-describedby"))
                .isEqualTo("keep_daily_backups-error");
        assertThat(browser.find("#time_zone-error").getText()).contains("Mars/Olympus_Mons");
        assertThat(browser.find("#keep_daily_backups").getAttribute("value")).isEqualTo("0"); // what was typed, kept
        assertThat(sent(ConfigureSchedule.class)).isZero();
        browser.screenshot("scheduler-errors");

        keepDaily = browser.find("#keep_daily_backups");
        keepDaily.clear();
        keepDaily.sendKeys("14");
        zone = browser.find("#time_zone");
        zone.clear();
        zone.sendKeys("UTC");
        browser.find("#config-save").click();
        ConfigureSchedule sentConfig = awaitCommand(ConfigureSchedule.class, c -> true);
        assertThat(sentConfig.keepDaily()).isEqualTo(14);
        assertThat(sentConfig.timeZone()).isNull(); // unchanged: not sent
        browser.until(10, "the change queued", ExpectedConditions.textToBePresentInElementLocated(
                By.id("outcome-status"), "QUEUED"));
        worker.schedulerApplied(sentConfig.jobId(), "ConfigureSchedule");
        browser.until(10, "the change applied", ExpectedConditions.textToBePresentInElementLocated(
                By.id("outcome-status"), "APPLIED"));
        browser.screenshot("scheduler");
    }

    @Test
    @Order(7)
    void aRestoreRunsOnlyAfterItsDryRunAndTheTargetsNameTypedToConfirm() throws Exception {
        browser.driver.get(url("/ui/backups/" + liveBackup));
        browser.find("#restore").click();
        browser.until(10, "the restore page", ExpectedConditions.presenceOfElementLocated(By.id("restore-form")));
        assertThat(new org.openqa.selenium.support.ui.Select(browser.find("#backup_id")).getFirstSelectedOption()
                .getAttribute("value")).isEqualTo(liveBackup.toString());
        assertThat(browser.find("#target").getAttribute("value")).isEqualTo(TARGET);
        browser.screenshot("restore-form");

        browser.find("#dry-run").click();
        RequestRestore dryRun = awaitCommand(RequestRestore.class, RequestRestore::dryRun);
        assertThat(dryRun.backupId()).isEqualTo(liveBackup);
        browser.until(10, "the dry run's page", ExpectedConditions.urlContains("/ui/restore/jobs/" + dryRun.jobId()));
        worker.dryRunDone(dryRun.jobId(), liveBackup, Map.of("public.users", 1_000L, "public.projects", 4_990L,
                "public.goals", 19_950L, "public.tasks", 199_400L));
        browser.until(10, "the comparison", ExpectedConditions.presenceOfElementLocated(By.id("comparison")));
        assertThat(browser.find("#comparison tr[data-table='public.tasks']").getText())
                .contains("200,000").contains("199,400").contains("+600");
        browser.screenshot("restore-dry-run");

        long restores = sent(RequestRestore.class);
        browser.find("#confirm").sendKeys(TARGET + "_prod");
        browser.find("#restore-run").click();
        WebElement error = browser.until(10, "the confirmation refused",
                ExpectedConditions.visibilityOfElementLocated(By.id("confirm-error")));
        assertThat(error.getText()).contains("type the target's name, " + TARGET + ", to confirm");
        assertThat(browser.find("#confirm").getAttribute("aria-invalid")).isEqualTo("true");
        assertThat(sent(RequestRestore.class)).isEqualTo(restores);

        browser.find("#confirm").sendKeys(TARGET);
        browser.find("#restore-run").click();
        RequestRestore restore = awaitCommand(RequestRestore.class, r -> !r.dryRun());
        assertThat(restore.backupId()).isEqualTo(liveBackup);
        browser.until(10, "the restore's page", ExpectedConditions.urlContains("/ui/restore/jobs/" + restore.jobId()));
        worker.restoreLoading(restore.jobId(), liveBackup, 120_000, 2);
        browser.until(10, "the restore loading", ExpectedConditions.textToBePresentInElementLocated(
                By.cssSelector("#restore-status .progress-text"), "loading"));
        String safety = "pre_restore_backup_20260501_020000_" + restore.jobId().toString().substring(0, 8)
                + ".json.zst";
        worker.restored(restore.jobId(), liveBackup, safety);
        WebElement taken = browser.until(10, "the safety backup shown",
                ExpectedConditions.visibilityOfElementLocated(By.id("safety-backup")));
        assertThat(taken.getText()).contains(safety);
        assertThat(browser.find("#restore-job-status").getText()).isEqualTo("Succeeded");
        browser.screenshot("restore");
    }

    @Test
    @Order(8)
    void aReadOnlyTokenSeesNoActionsIsRefusedRestoreAndSignsOut() throws Exception {
        browser.driver.get(url("/"));
        signOut();
        browser.driver.get(url("/ui/jobs"));
        browser.until(10, "signed out: back to sign-in", ExpectedConditions.urlContains("/ui/sign-in"));

        signIn(READER);
        browser.until(10, "the overview", ExpectedConditions.presenceOfElementLocated(By.id("targets")));
        assertThat(browser.find("#signed-in-as").getText()).isEqualTo(READER_NAME);
        assertThat(browser.find("nav").getText()).contains("Jobs").doesNotContain("Restore");

        browser.driver.get(url("/ui/jobs"));
        assertThat(browser.present("table.jobs")).isTrue();
        assertThat(browser.present("#start-backup")).isFalse();

        browser.driver.get(url("/ui/backups/" + liveBackup));
        assertThat(browser.present("#backup-tables")).isTrue();
        assertThat(browser.present("#restore")).isFalse();
        assertThat(browser.present("#verify")).isFalse();
        assertThat(browser.present("#drill")).isFalse();

        browser.driver.get(url("/ui/scheduler"));
        assertThat(browser.present("#schedules")).isTrue();
        assertThat(browser.present("#config-form")).isFalse();
        assertThat(browser.present("#scheduler-stop")).isFalse();

        browser.driver.get(url("/ui/restore?backup_id=" + liveBackup));
        assertThat(browser.find("#denied").getText()).contains(READER_NAME).contains("backup:restore");
        browser.screenshot("denied");

        long before = commands.events().stream().filter(DashboardBrowserIT::ours).count();
        String session = browser.driver.manage().getCookieNamed("JSESSIONID").getValue();
        signOut();
        Cookie after = browser.driver.manage().getCookieNamed("JSESSIONID");
        assertThat(after == null ? null : after.getValue()).as("the session is gone").isNotEqualTo(session);
        browser.driver.get(url("/"));
        browser.until(10, "signed out", ExpectedConditions.urlContains("/ui/sign-in"));
        assertThat(commands.events().stream().filter(DashboardBrowserIT::ours).count()).isEqualTo(before);
    }

    @Test
    @Order(9)
    void theOverviewFitsAPhone() throws Exception {
        signIn(ADMIN);
        browser.until(10, "the overview", ExpectedConditions.presenceOfElementLocated(By.id("targets")));
        org.openqa.selenium.Dimension desktop = browser.driver.manage().window().getSize();
        browser.driver.manage().window().setSize(new org.openqa.selenium.Dimension(390, 844));
        try {
            Number overflow = (Number) browser.script(
                    "return document.documentElement.scrollWidth - document.documentElement.clientWidth;");
            assertThat(overflow.intValue()).as("no horizontal scrolling on a phone").isLessThanOrEqualTo(0);
            browser.screenshot("overview-phone");
        } finally {
            browser.driver.manage().window().setSize(desktop);
        }
    }

    @Test
    @Order(10)
    void aJobsPageShowsItsTimelineWithTheTakeOverAndItsErrorAndARunningJobsProgress() throws Exception {
        UUID job = UUID.randomUUID();
        String reason = "pg_dump: error: connection to server lost";
        worker.takenOverAndFailed(job, "worker-a", "worker-b", reason);
        browser.driver.get(url("/ui/jobs"));
        browser.find(row(job) + " a.job-link").click();
        browser.until(10, "the job's page", ExpectedConditions.urlContains("/ui/jobs/" + job));
        assertThat(browser.find("#job-status").getText()).isEqualTo("Failed");
        assertThat(browser.find("#job-error").getText()).isEqualTo(reason);
        assertThat(browser.find("#job-attempts").getText()).isEqualTo("2");
        assertThat(browser.find("#job-taken-over").getText())
                .isEqualTo("yes: worker-b from worker-a (lease expired)");
        assertThat(browser.driver.findElements(By.cssSelector("#job-timeline li")).stream()
                .map(e -> e.getAttribute("data-step")).toList())
                .containsExactly("Requested", "Started", "Lease expired", "Taken over", "Failed");
        assertThat(browser.text("#job-timeline li[data-step='Taken over']"))
                .contains("attempt 2 on worker-b, from worker-a (lease expired)");
        assertThat(browser.text("#job-timeline li[data-step='Failed']")).contains(reason);
        assertThat(browser.find("#job-timeline li[data-step='Started'] time").getAttribute("title")).endsWith("UTC");
        assertThat(browser.driver.findElements(By.cssSelector("#job-attempt-table tbody tr")).stream()
                .map(e -> e.getAttribute("data-worker")).toList()).containsExactly("worker-a", "worker-b");
        browser.screenshot("job-taken-over");

        // a running job: its bar moves and it ends without a reload
        UUID running = UUID.randomUUID();
        worker.claimed(running, "worker-c");
        browser.driver.get(url("/ui/jobs/" + running));
        awaitLive();
        markPage();
        assertThat(browser.find("#job-status").getText()).isEqualTo("Running");
        assertThat(browser.text("#job-timeline li[data-step='Started']")).contains("attempt 1 on worker-c");
        worker.progress(running, "manual", 50_000, 1);
        browser.until(20, "the bar at 50,000 rows", d -> ((Number) browser.script(
                "var p = document.querySelector('#job-progress progress'); return p ? p.value : -1;"))
                .longValue() == 50_000);
        browser.screenshot("job-running");
        worker.succeeded(running, "manual", 8_700_000);
        browser.until(20, "the job succeeded", ExpectedConditions.textToBePresentInElementLocated(
                By.id("job-status"), "Succeeded"));
        assertThat(browser.text("#job-timeline li[data-step='Succeeded']")).isNotEmpty();
        assertThat(browser.find("#job-subject").getAttribute("href")).endsWith("/ui/backups/" + running);
        assertThat(stillSamePage()).as("the page was never reloaded").isTrue();
    }

    @Test
    @Order(11)
    void theRetentionPreviewRequestsADryRunCleanupAndShowsEachBackupsDecisionWithItsRule() throws Exception {
        browser.driver.get(url("/ui/scheduler"));
        browser.find("#retention-preview-button").click();
        io.taskagent.backup.model.RequestCleanup request = awaitCommand(io.taskagent.backup.model.RequestCleanup.class,
                c -> true);
        assertThat(request.dryRun()).isTrue();
        assertThat(request.target()).isEqualTo(TARGET);
        browser.until(10, "waiting for the decisions", ExpectedConditions.attributeToBe(By.id("retention"),
                "data-state", "waiting"));
        markPage();
        UUID oldest = pastBackups.get(0);
        UUID newest = pastBackups.get(pastBackups.size() - 1);
        Instant now = Instant.now();
        worker.retentionDecided(request.jobId(), java.util.List.of(
                new io.taskagent.backup.model.CleanupCompleted.Decision(newest, "daily_newest.json.zst", "daily",
                        now.minus(Duration.ofDays(2)), 7_400_000, true, java.util.List.of("daily: newest 30"),
                        java.util.List.of()),
                new io.taskagent.backup.model.CleanupCompleted.Decision(oldest, "daily_oldest.json.zst", "daily",
                        now.minus(Duration.ofDays(9)), 6_100_000, false,
                        java.util.List.of("daily: beyond the newest 30"), java.util.List.of())));
        browser.until(20, "the decisions", ExpectedConditions.presenceOfElementLocated(By.id("retention-decisions")));
        assertThat(browser.find("#retention-summary").getText()).contains("1 kept").contains("1 to delete")
                .contains("5.82 MiB");
        assertThat(browser.text("#retention-decisions tr[data-backup-id='" + newest + "']")).contains("kept")
                .contains("daily: newest 30");
        assertThat(browser.text("#retention-decisions tr[data-backup-id='" + oldest + "']")).contains("to delete")
                .contains("daily: beyond the newest 30");
        assertThat(stillSamePage()).as("shown without a reload").isTrue();
        browser.screenshot("retention-preview");
    }

    @Test
    @Order(12)
    void theBackupsChartsShowDurationAndMarkTheAnomalyTheAlertServiceDetected() throws Exception {
        UUID shrunk = UUID.randomUUID();
        Instant at = Instant.now().minus(Duration.ofHours(1)).truncatedTo(ChronoUnit.SECONDS);
        worker.pastBackup(shrunk, "daily", at, 0.1, 740_000);
        String finding = "public.tasks: 20000 rows, median of the last 8 backups 190000 (11%)";
        worker.anomalous(shrunk, "daily", worker.fileOf(shrunk), at.plusSeconds(4), 740_000,
                Math.round(FakeWorker.totalRows() * 0.1), java.util.List.of(finding));

        browser.driver.get(url("/ui/backups"));
        browser.until(10, "the charts drawn", d -> browser.find("#backup-chart").getAttribute("data-drawn") != null
                && browser.find("#duration-chart").getAttribute("data-drawn") != null);
        assertThat(browser.find("#duration-chart").getAttribute("data-drawn"))
                .isEqualTo(browser.find("#backup-chart").getAttribute("data-drawn"));
        assertThat(browser.find("#backup-chart").getAttribute("data-marked")).isEqualTo("1");
        String listed = browser.text("#anomalies li[data-job-id='" + shrunk + "']");
        assertThat(listed).contains(worker.fileOf(shrunk)).contains(finding);
        @SuppressWarnings("unchecked")
        java.util.List<Object> marked = (java.util.List<Object>) browser.script(
                "return JSON.parse(document.getElementById('backup-chart').getAttribute('data-chart'))"
                        + ".filter(function (p) { return p.anomaly; }).map(function (p) { return p.job_id; });");
        assertThat(marked).containsExactly(shrunk.toString());
        browser.screenshot("backups-anomaly");
    }

    @Test
    @Order(13)
    void theOverviewAndTheStatusApiShowEachDestinationsFreeSpaceOrUnknown() throws Exception {
        worker.space("local", "local", 12L * 1024 * 1024 * 1024, null);
        worker.space("offsite", "s3", null, null);
        browser.driver.get(url("/"));
        String card = "[data-target='" + TARGET + "'] ";
        assertThat(browser.text(card + "tr[data-destination='local'] td.free")).isEqualTo("12.0 GiB free");
        assertThat(browser.text(card + "tr[data-destination='offsite'] td.free")).isEqualTo("unknown");
        assertThat(browser.find(card + "tr[data-destination='local'] td.free").getAttribute("title"))
                .startsWith("measured ").endsWith("UTC");
        browser.screenshot("overview-free-space");

        HttpResponse<String> status = HttpClient.newHttpClient().send(HttpRequest.newBuilder(
                        URI.create(url("/api/backup/status"))).header("Authorization", "Bearer " + READER).build(),
                HttpResponse.BodyHandlers.ofString());
        assertThat(status.statusCode()).isEqualTo(200);
        tools.jackson.databind.JsonNode destinations = io.taskagent.backup.model.MessageJson.mapper()
                .readTree(status.body()).get("destinations");
        tools.jackson.databind.JsonNode local = destinations.valueStream()
                .filter(d -> d.get("name").asString().equals("local")).findFirst().orElseThrow();
        assertThat(local.get("free_bytes").asLong()).isEqualTo(12L * 1024 * 1024 * 1024);
        assertThat(local.get("space_checked_at").isNull()).isFalse();
        assertThat(local.has("copies")).isTrue();
        tools.jackson.databind.JsonNode offsite = destinations.valueStream()
                .filter(d -> d.get("name").asString().equals("offsite")).findFirst().orElseThrow();
        assertThat(offsite.hasNonNull("free_bytes")).as("unknown: null").isFalse();
    }
}
