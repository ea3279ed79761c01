package io.taskagent.backup.testsupport;

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
 * per run. Without them the test is skipped, loudly, unless {@code CI=true}, where it fails. Selenium is an optional
 * dependency of test-support: a module using this class declares {@code selenium-java} itself.
 */
public final class Browser implements AutoCloseable {

    public static final Path CHROMIUM = Path.of("/usr/bin/chromium");
    public static final Path CHROMEDRIVER = Path.of("/usr/bin/chromedriver");
    public static final Dimension DESKTOP = new Dimension(1280, 900);

    public final WebDriver driver;
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
    public static void requireOrSkip() {
        if (Files.isExecutable(CHROMIUM) && Files.isExecutable(CHROMEDRIVER)) {
            return;
        }
        String message = "the dashboard's browser test needs " + CHROMIUM + " and " + CHROMEDRIVER
                + " (Debian: apt-get install chromium chromium-driver)";
        if ("true".equalsIgnoreCase(System.getenv("CI"))) {
            Assertions.fail(message + "; CI=true, so this is a failure, not a skip");
        }
        System.err.println("\n*** SKIPPED the dashboard's browser test: " + message + " ***\n");
        Assumptions.abort(message);
    }

    public static Browser start(Path screenshots) throws IOException {
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

    public WebElement find(String css) {
        return driver.findElement(By.cssSelector(css));
    }

    /** An element's text; read again if htmx swapped the element meanwhile (live regions refresh themselves). */
    public String text(String css) {
        return until(5, "the text of " + css, d -> d.findElement(By.cssSelector(css)).getText());
    }

    /** An element's attribute, read again if the element was swapped meanwhile. */
    public String attribute(String css, String name) {
        return until(5, "the " + name + " of " + css, d -> {
            String value = d.findElement(By.cssSelector(css)).getAttribute(name);
            return value == null ? "" : value;
        });
    }

    public boolean present(String css) {
        return !driver.findElements(By.cssSelector(css)).isEmpty();
    }

    public Object script(String script, Object... args) {
        return ((JavascriptExecutor) driver).executeScript(script, args);
    }

    /** Emulates the viewer's colour scheme preference ({@code light} or {@code dark}) for the pages loaded next. */
    public void colorScheme(String scheme) {
        ((ChromeDriver) driver).executeCdpCommand("Emulation.setEmulatedMedia", java.util.Map.of("features",
                java.util.List.of(java.util.Map.of("name", "prefers-color-scheme", "value", scheme))));
    }

    /**
     * Every visible element of the page whose own text has less contrast with its background than WCAG AA asks
     * (4.5:1, 3:1 for large or bold large text), described as {@code tag#id.class "text": ratio}. The background is
     * the first opaque one among the element and its ancestors.
     */
    @SuppressWarnings("unchecked")
    public java.util.List<String> lowContrast() {
        return (java.util.List<String>) script("""
                function rgb(c) { var m = c.match(/[\\d.]+/g); return m ? m.map(Number) : [0, 0, 0, 0]; }
                function lum(c) {
                  var v = c.slice(0, 3).map(function (x) { x /= 255;
                    return x <= 0.03928 ? x / 12.92 : Math.pow((x + 0.055) / 1.055, 2.4); });
                  return 0.2126 * v[0] + 0.7152 * v[1] + 0.0722 * v[2];
                }
                function background(el) {
                  for (var e = el; e; e = e.parentElement) {
                    var c = rgb(getComputedStyle(e).backgroundColor);
                    if (c.length < 4 || c[3] > 0.9) return c;
                  }
                  return rgb(getComputedStyle(document.documentElement).backgroundColor);
                }
                var bad = [];
                document.querySelectorAll('body *').forEach(function (el) {
                  var own = Array.prototype.some.call(el.childNodes, function (n) {
                    return n.nodeType === 3 && n.textContent.trim().length > 0; });
                  var st = getComputedStyle(el);
                  if (!own || st.visibility === 'hidden' || st.display === 'none' || el.offsetParent === null
                      && st.position !== 'fixed' || el.closest('[aria-hidden=true]')) return;
                  var fg = rgb(st.color), bg = background(el);
                  var a = lum(fg), b = lum(bg);
                  var ratio = (Math.max(a, b) + 0.05) / (Math.min(a, b) + 0.05);
                  var size = parseFloat(st.fontSize), bold = parseInt(st.fontWeight, 10) >= 700;
                  var need = size >= 24 || (bold && size >= 18.66) ? 3 : 4.5;
                  if (ratio < need) {
                    bad.push(el.tagName.toLowerCase() + (el.id ? '#' + el.id : '')
                      + (el.className && typeof el.className === 'string' ? '.' + el.className.trim().replace(/\\s+/g, '.') : '')
                      + ' "' + el.textContent.trim().slice(0, 40) + '": ' + ratio.toFixed(2) + ' < ' + need);
                  }
                });
                return bad;""");
    }

    /** Waits for {@code condition}, at most {@code seconds} (never a fixed sleep). */
    public <T> T until(int seconds, String what, ExpectedCondition<T> condition) {
        return new WebDriverWait(driver, Duration.ofSeconds(seconds)).withMessage(what)
                .ignoring(StaleElementReferenceException.class) // a region htmx just swapped: look again
                .until(condition);
    }

    /** The whole page, as tall as its content (at most 3000 px), saved as {@code <name>.png}. */
    public Path screenshot(String name) throws IOException {
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
