package io.taskagent.backup.gateway.ui;

import org.junit.jupiter.api.Assertions;
import org.junit.jupiter.api.Assumptions;
import org.openqa.selenium.By;
import org.openqa.selenium.Dimension;
import org.openqa.selenium.JavascriptExecutor;
import org.openqa.selenium.OutputType;
import org.openqa.selenium.StaleElementReferenceException;
import org.openqa.selenium.TakesScreenshot;
import org.openqa.selenium.WebDriver;
import org.openqa.selenium.WebElement;
import org.openqa.selenium.chrome.ChromeDriver;
import org.openqa.selenium.chrome.ChromeDriverService;
import org.openqa.selenium.chrome.ChromeOptions;
import org.openqa.selenium.support.ui.ExpectedCondition;
import org.openqa.selenium.support.ui.WebDriverWait;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.time.Duration;
import java.util.Comparator;
import java.util.stream.Stream;

/**
 * Debian's Chromium driven through its chromedriver (never a browser a tool downloads): headless, a fresh profile
 * per run. Without them the test is skipped, loudly, unless {@code CI=true}, where it fails.
 */
final class Browser implements AutoCloseable {

    static final Path CHROMIUM = Path.of("/usr/bin/chromium");
    static final Path CHROMEDRIVER = Path.of("/usr/bin/chromedriver");
    static final Dimension DESKTOP = new Dimension(1280, 900);

    final WebDriver driver;
    private final ChromeDriverService service;
    private final Path profile;
    private final Path screenshots;

    private Browser(WebDriver driver, ChromeDriverService service, Path profile, Path screenshots) {
        this.driver = driver;
        this.service = service;
        this.profile = profile;
        this.screenshots = screenshots;
    }

    /** Skips the calling test class (aborts) without a browser, or fails it when {@code CI=true}. */
    static void requireOrSkip() {
        if (Files.isExecutable(CHROMIUM) && Files.isExecutable(CHROMEDRIVER)) {
            return;
        }
        String message = "the dashboard's browser test needs " + CHROMIUM + " and " + CHROMEDRIVER
                + " (Debian: apt-get install chromium chromium-driver)";
        if ("true".equalsIgnoreCase(System.getenv("CI"))) {
            Assertions.fail(message + "; CI=true, so this is a failure, not a skip");
        }
        System.err.println("\n*** SKIPPED DashboardBrowserIT: " + message + " ***\n");
        Assumptions.abort(message);
    }

    static Browser start(Path screenshots) throws IOException {
        Path profile = Files.createTempDirectory("dashboard-chromium-");
        ChromeDriverService service = new ChromeDriverService.Builder()
                .usingDriverExecutable(CHROMEDRIVER.toFile()).usingAnyFreePort().build();
        ChromeOptions options = new ChromeOptions();
        options.setBinary(CHROMIUM.toFile());
        options.addArguments("--headless=new", "--no-sandbox", "--disable-gpu", "--disable-dev-shm-usage",
                "--disable-background-networking", "--disable-component-update", "--disable-sync", "--no-first-run",
                "--user-data-dir=" + profile, "--window-size=" + DESKTOP.width + "," + DESKTOP.height,
                "--lang=en-US", "--force-prefers-reduced-motion");
        WebDriver driver = new ChromeDriver(service, options);
        driver.manage().timeouts().pageLoadTimeout(Duration.ofSeconds(30));
        Files.createDirectories(screenshots);
        return new Browser(driver, service, profile, screenshots);
    }

    WebElement find(String css) {
        return driver.findElement(By.cssSelector(css));
    }

    /** An element's text; read again if htmx swapped the element meanwhile (live regions refresh themselves). */
    String text(String css) {
        return until(5, "the text of " + css, d -> d.findElement(By.cssSelector(css)).getText());
    }

    /** An element's attribute, read again if the element was swapped meanwhile. */
    String attribute(String css, String name) {
        return until(5, "the " + name + " of " + css, d -> {
            String value = d.findElement(By.cssSelector(css)).getAttribute(name);
            return value == null ? "" : value;
        });
    }

    boolean present(String css) {
        return !driver.findElements(By.cssSelector(css)).isEmpty();
    }

    Object script(String script, Object... args) {
        return ((JavascriptExecutor) driver).executeScript(script, args);
    }

    /** Waits for {@code condition}, at most {@code seconds} (never a fixed sleep). */
    <T> T until(int seconds, String what, ExpectedCondition<T> condition) {
        return new WebDriverWait(driver, Duration.ofSeconds(seconds)).withMessage(what)
                .ignoring(StaleElementReferenceException.class) // a region htmx just swapped: look again
                .until(condition);
    }

    /** The whole page, as tall as its content (at most 3000 px), saved as {@code <name>.png}. */
    Path screenshot(String name) throws IOException {
        Dimension size = driver.manage().window().getSize();
        Number height = (Number) script("return Math.ceil(document.documentElement.scrollHeight)");
        int viewportChrome = size.height - ((Number) script("return window.innerHeight")).intValue();
        driver.manage().window().setSize(new Dimension(size.width,
                Math.min(3000, Math.max(size.height, height.intValue() + viewportChrome))));
        try {
            Path file = screenshots.resolve(name + ".png");
            Files.copy(((TakesScreenshot) driver).getScreenshotAs(OutputType.FILE).toPath(), file,
                    StandardCopyOption.REPLACE_EXISTING);
            return file;
        } finally {
            driver.manage().window().setSize(size);
        }
    }

    @Override
    public void close() throws IOException {
        try {
            driver.quit();
        } finally {
            service.stop();
            try (Stream<Path> files = Files.walk(profile)) {
                files.sorted(Comparator.reverseOrder()).forEach(p -> p.toFile().delete());
            }
        }
    }
}
