package io.github.stytchmigration.sample;

import io.github.stytchmigration.emulator.StytchEmulator;
import io.github.stytchmigration.sample.testing.HeadlessChromium;
import io.github.stytchmigration.sample.testing.SharedSample;
import io.github.stytchmigration.sample.testing.WebClient;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.openqa.selenium.By;
import org.openqa.selenium.Dimension;
import org.openqa.selenium.JavascriptExecutor;
import org.openqa.selenium.WebDriver;
import org.openqa.selenium.support.ui.ExpectedConditions;
import org.openqa.selenium.support.ui.WebDriverWait;

import java.nio.file.Path;
import java.time.Duration;

import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assertions.fail;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

/**
 * A 251-character address in a real browser (headless Chromium, as {@link BrowserWalkthroughTest}): no page
 * the person meets scrolls sideways at 1100 px or at a phone's 400 px, the emulator's dev inbox included;
 * the long value wraps inside its box, and the progress page's table fits its column at 1200 and 1100 px with
 * every Created date on one line. Skipped when Chromium is not installed.
 */
class LongValuesLayoutTest {
    static HeadlessChromium browser;
    static WebDriver driver;

    @BeforeAll
    static void openBrowser(@TempDir Path profile) {
        String missing = HeadlessChromium.missing();
        if (missing != null && "true".equals(System.getenv("CI"))) {
            fail(missing + " (CI=true: the browser tests must run; .ci/run installs Chromium when run as root)");
        }
        assumeTrue(missing == null, () -> missing + "; skipping the layout test");
        browser = HeadlessChromium.start(profile, Path.of("target", "screenshots-layout"));
        driver = browser.driver();
        driver.manage().window().setSize(new Dimension(1100, 900));
    }

    @AfterAll
    static void closeBrowser() {
        if (browser != null) {
            browser.close();
        }
    }

    /** How far the page reaches past the window's right edge, in CSS pixels (0: it does not scroll sideways). */
    static long sidewaysOverflow() {
        Object px = ((JavascriptExecutor) driver).executeScript(
                "return document.documentElement.scrollWidth - document.documentElement.clientWidth;");
        return ((Number) px).longValue();
    }

    static void assertFitsAt(int width, String page) {
        Dimension before = driver.manage().window().getSize();
        driver.manage().window().setSize(new Dimension(width, before.getHeight()));
        try {
            assertThat(sidewaysOverflow()).as("%s at %d px scrolls sideways", page, width).isLessThanOrEqualTo(0);
        } finally {
            driver.manage().window().setSize(before);
        }
    }

    @Test
    void aLongAddressNeverMakesAPageScrollSideways() throws Exception {
        StytchEmulator emulator = SharedSample.get().emulator();
        String email = SamplePagesTest.LONG_EMAIL.replace("long.address.", "wide.address.");
        WebDriverWait wait = new WebDriverWait(driver, Duration.ofSeconds(20));

        driver.get(SharedSample.appBase() + "/login");
        driver.findElement(By.id("email")).sendKeys(email);
        driver.findElement(By.cssSelector("form.stack button[type=submit]")).click();
        wait.until(ExpectedConditions.titleContains("Check your email"));
        assertThat(driver.findElement(By.id("sent-to")).getText()).isEqualTo(email);
        assertFitsAt(1100, "Check your email");
        assertFitsAt(400, "Check your email");

        driver.findElement(By.linkText("dev inbox")).click();
        wait.until(ExpectedConditions.urlContains("/emulator"));
        assertFitsAt(1100, "the dev inbox");
        assertFitsAt(700, "the dev inbox");

        driver.get(WebClient.outbox(emulator, email).get(0).url());
        wait.until(ExpectedConditions.urlToBe(SharedSample.appBase() + "/account"));
        assertFitsAt(1100, "the account page");
        assertFitsAt(400, "the account page");

        driver.get(SharedSample.appBase() + "/migration");
        assertThat(driver.getPageSource()).contains(email);
        assertFitsAt(1100, "the progress page");
        assertFitsAt(700, "the progress page"); // narrower: the table scrolls inside its own box
        for (int width : new int[] {1200, 1100}) {
            driver.manage().window().setSize(new Dimension(width, 900));
            assertThat(tableOverflow()).as("the users table at %d px reaches past its box", width).isLessThanOrEqualTo(0);
            assertThat(wrappedDates()).as("Created dates broken over lines at %d px", width).isZero();
        }
        driver.manage().window().setSize(new Dimension(1100, 900));
    }

    /** How far the progress page's users table reaches past its scroll box, in CSS pixels. */
    static long tableOverflow() {
        return ((Number) ((JavascriptExecutor) driver).executeScript(
                "var box = document.querySelector('.table-scroll'); return box.scrollWidth - box.clientWidth;")).longValue();
    }

    /** The Created dates drawn on more than one line (an inline element has one client rect per line). */
    static long wrappedDates() {
        return ((Number) ((JavascriptExecutor) driver).executeScript(
                "return Array.from(document.querySelectorAll('#users time')).filter(t => t.getClientRects().length > 1).length;"))
                .longValue();
    }
}
