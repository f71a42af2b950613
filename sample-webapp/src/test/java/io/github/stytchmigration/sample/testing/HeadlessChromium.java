package io.github.stytchmigration.sample.testing;

import org.openqa.selenium.By;
import org.openqa.selenium.JavascriptExecutor;
import org.openqa.selenium.OutputType;
import org.openqa.selenium.StaleElementReferenceException;
import org.openqa.selenium.WebDriver;
import org.openqa.selenium.WebDriverException;
import org.openqa.selenium.WebElement;
import org.openqa.selenium.chrome.ChromeDriver;
import org.openqa.selenium.chrome.ChromeDriverService;
import org.openqa.selenium.chrome.ChromeOptions;
import org.openqa.selenium.support.ui.ExpectedConditions;
import org.openqa.selenium.support.ui.WebDriverWait;

import java.io.File;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Base64;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.logging.Level;
import java.util.logging.Logger;
import java.util.stream.Stream;

/**
 * The system's Chromium, headless, driven by Selenium through the system's chromedriver: Selenium
 * Manager never downloads anything (both paths are explicit). Saves numbered full-page screenshots
 * for a person to review. Close it (or let {@code @AfterAll} do so) so that no browser outlives the test.
 */
public final class HeadlessChromium implements AutoCloseable {
    public static final String CHROMIUM = System.getenv().getOrDefault("CHROMIUM_BIN", "/usr/bin/chromium");
    public static final String CHROMEDRIVER = System.getenv().getOrDefault("CHROMEDRIVER_BIN", "/usr/bin/chromedriver");
    // Selenium warns that it has no DevTools (CDP) bindings for this Chromium: the tests use WebDriver only.
    // JUL keeps loggers weakly: hold the ones whose level is set.
    private static final List<Logger> QUIETED = List.of(
            quiet("org.openqa.selenium.devtools.CdpVersionFinder"),
            quiet("org.openqa.selenium.chromium.ChromiumDriver"));

    private static Logger quiet(String name) {
        Logger logger = Logger.getLogger(name);
        logger.setLevel(Level.SEVERE);
        return logger;
    }

    /** Tall pages are cut here in screenshots; nothing the sample shows is longer. */
    private static final int MAX_SHOT_HEIGHT = 6000;

    private final ChromeDriverService service;
    private final ChromeDriver driver;
    private final Path screenshots;
    private int shots;

    private HeadlessChromium(ChromeDriverService service, ChromeDriver driver, Path screenshots) {
        this.service = service;
        this.driver = driver;
        this.screenshots = screenshots;
    }

    /** Null when Chromium and chromedriver are both there; otherwise why the browser tests cannot run. */
    public static String missing() {
        if (new File(CHROMIUM).canExecute() && new File(CHROMEDRIVER).canExecute()) {
            return null;
        }
        return "Chromium not found at " + CHROMIUM + " / " + CHROMEDRIVER
                + ": install it with `apt-get install chromium chromium-driver` (Debian/Ubuntu)"
                + " or set CHROMIUM_BIN and CHROMEDRIVER_BIN";
    }

    /**
     * Starts the browser with its profile in {@code profile} (a fresh directory: no cookies, no cache),
     * a 1200×900 window, and screenshots going to {@code screenshots} (emptied first, so that what is
     * there after a run is this run's walk only).
     */
    public static HeadlessChromium start(Path profile, Path screenshots) {
        try {
            Files.createDirectories(screenshots);
            try (Stream<Path> old = Files.list(screenshots)) {
                for (Path p : (Iterable<Path>) old::iterator) {
                    if (p.toString().endsWith(".png")) {
                        Files.delete(p);
                    }
                }
            }
        } catch (IOException e) {
            throw new UncheckedIOException("could not prepare " + screenshots, e);
        }
        ChromeDriverService service = new ChromeDriverService.Builder()
                .usingDriverExecutable(new File(CHROMEDRIVER))
                .usingAnyFreePort()
                .build();
        ChromeOptions options = new ChromeOptions();
        options.setBinary(CHROMIUM);
        options.addArguments("--headless=new", "--no-sandbox", "--disable-gpu", "--disable-dev-shm-usage",
                "--no-first-run", "--disable-background-networking", "--disable-component-update", "--disable-sync",
                "--hide-scrollbars", "--window-size=1200,900", "--user-data-dir=" + profile.toAbsolutePath());
        ChromeDriver driver;
        try {
            driver = new ChromeDriver(service, options);
        } catch (RuntimeException e) {
            service.stop();
            throw e;
        }
        driver.manage().timeouts().pageLoadTimeout(Duration.ofSeconds(30));
        return new HeadlessChromium(service, driver, screenshots);
    }

    public WebDriver driver() {
        return driver;
    }

    /** A wait of up to 20 s: a loaded CI machine is slow, and a wait ends as soon as its condition holds. */
    public WebDriverWait waiting() {
        return new WebDriverWait(driver, Duration.ofSeconds(20));
    }

    /** Clicks a link or button that leaves the page and waits until the next page has loaded. */
    public void clickAndWait(WebElement element) {
        element.click();
        waiting().until(d -> gone(element));
        waitForLoad();
    }

    /**
     * Whether the element's page has been replaced. Asked mid-navigation, chromedriver sometimes answers
     * "Node with given id does not belong to the document" instead of "stale element": that is gone too
     * ({@link ExpectedConditions#stalenessOf} would throw it); any other error is asked again.
     */
    private static boolean gone(WebElement element) {
        try {
            element.isEnabled();
            return false;
        } catch (StaleElementReferenceException e) {
            return true;
        } catch (WebDriverException e) {
            return String.valueOf(e.getMessage()).contains("does not belong to the document");
        }
    }

    /** Types into the element with this id, after clearing it. */
    public void type(String id, String text) {
        WebElement field = driver.findElement(By.id(id));
        field.clear();
        field.sendKeys(text);
    }

    /**
     * Saves the page as {@code NN-step.png} (the whole page, not only the window) and checks that
     * every image on it loaded, so that a blocked or broken image fails the walk rather than a review.
     * Returns the file.
     */
    public Path screenshot(String step) {
        waitForLoad();
        List<?> broken = (List<?>) ((JavascriptExecutor) driver).executeScript(
                "return Array.from(document.images).filter(i => !i.complete || i.naturalWidth === 0).map(i => i.alt || i.src);");
        if (!broken.isEmpty()) {
            throw new AssertionError("images that did not load on " + driver.getCurrentUrl() + ": " + broken);
        }
        Path file = screenshots.resolve(String.format(Locale.ROOT, "%02d-%s.png", ++shots, step));
        try {
            Files.write(file, Base64.getDecoder().decode(fullPage()));
        } catch (IOException e) {
            throw new UncheckedIOException("could not save " + file, e);
        }
        return file;
    }

    /** How many screenshots were saved. */
    public int screenshots() {
        return shots;
    }

    /** The whole page through the DevTools protocol (a WebDriver screenshot holds the window only). */
    private String fullPage() {
        Map<String, Object> metrics = driver.executeCdpCommand("Page.getLayoutMetrics", Map.of());
        @SuppressWarnings("unchecked")
        Map<String, Object> content = (Map<String, Object>) metrics.get("cssContentSize");
        if (content == null) { // an old Chromium: the window will do
            return driver.getScreenshotAs(OutputType.BASE64);
        }
        double width = ((Number) content.get("width")).doubleValue();
        double height = Math.min(((Number) content.get("height")).doubleValue(), MAX_SHOT_HEIGHT);
        Map<String, Object> shot = driver.executeCdpCommand("Page.captureScreenshot", Map.of(
                "format", "png",
                "captureBeyondViewport", true,
                "clip", Map.of("x", 0, "y", 0, "width", width, "height", height, "scale", 1)));
        return (String) shot.get("data");
    }

    private void waitForLoad() {
        waiting().until(d -> "complete".equals(((JavascriptExecutor) d).executeScript("return document.readyState")));
    }

    @Override
    public void close() {
        try {
            driver.quit();
        } finally {
            service.stop();
        }
    }
}
