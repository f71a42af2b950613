package io.github.stytchmigration.sample;

import io.github.stytchmigration.emulator.OutboxMessage;
import io.github.stytchmigration.emulator.StytchEmulator;
import io.github.stytchmigration.sample.testing.SharedSample;
import io.github.stytchmigration.sample.testing.WebClient;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.openqa.selenium.By;
import org.openqa.selenium.OutputType;
import org.openqa.selenium.TakesScreenshot;
import org.openqa.selenium.WebDriver;
import org.openqa.selenium.WebElement;
import org.openqa.selenium.chrome.ChromeDriver;
import org.openqa.selenium.chrome.ChromeDriverService;
import org.openqa.selenium.chrome.ChromeOptions;
import org.openqa.selenium.support.ui.ExpectedConditions;
import org.openqa.selenium.support.ui.WebDriverWait;

import java.io.File;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.time.Duration;
import java.util.List;

import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

/**
 * A real browser (headless Chromium from the system, driven by Selenium) logs in the way a person
 * would: types an email, opens the link from the emulator's dev inbox page, lands on the account page.
 * Skipped when Chromium is not installed; Selenium Manager never downloads anything (the driver and
 * browser paths are explicit).
 */
class BrowserLoginTest {
    static final String CHROMIUM = System.getenv().getOrDefault("CHROMIUM_BIN", "/usr/bin/chromium");
    static final String CHROMEDRIVER = System.getenv().getOrDefault("CHROMEDRIVER_BIN", "/usr/bin/chromedriver");

    static WebDriver driver;
    static ChromeDriverService service;

    @BeforeAll
    static void openBrowser(@TempDir Path profile) {
        assumeTrue(new File(CHROMIUM).canExecute() && new File(CHROMEDRIVER).canExecute(),
                "Chromium not found at " + CHROMIUM + " / " + CHROMEDRIVER
                        + ": install it with `apt-get install chromium chromium-driver` (Debian/Ubuntu)"
                        + " or set CHROMIUM_BIN and CHROMEDRIVER_BIN; skipping the browser test");
        service = new ChromeDriverService.Builder()
                .usingDriverExecutable(new File(CHROMEDRIVER))
                .usingAnyFreePort()
                .build();
        ChromeOptions options = new ChromeOptions();
        options.setBinary(CHROMIUM);
        options.addArguments("--headless=new", "--no-sandbox", "--disable-gpu", "--disable-dev-shm-usage",
                "--no-first-run", "--disable-background-networking", "--disable-component-update", "--disable-sync",
                "--window-size=1200,1000", "--user-data-dir=" + profile.toAbsolutePath());
        driver = new ChromeDriver(service, options);
        driver.manage().timeouts().pageLoadTimeout(Duration.ofSeconds(30));
    }

    @AfterAll
    static void closeBrowser() {
        if (driver != null) {
            driver.quit();
        }
        if (service != null) {
            service.stop();
        }
    }

    @Test
    void personLogsInWithTheLinkFromTheDevInbox() throws Exception {
        SampleLauncher sample = SharedSample.get();
        StytchEmulator emulator = sample.emulator();
        String email = "erin.evans@example.com"; // seeded as Erin.Evans@example.com
        WebDriverWait wait = new WebDriverWait(driver, Duration.ofSeconds(20));

        driver.get(SharedSample.appBase() + "/login");
        assertThat(driver.getTitle()).startsWith("Log in");
        WebElement field = driver.findElement(By.cssSelector("label[for=email] + input#email"));
        field.sendKeys(email);
        driver.findElement(By.cssSelector("form.stack button[type=submit]")).click();
        wait.until(ExpectedConditions.titleContains("Check your email"));
        assertThat(driver.findElement(By.tagName("main")).getText()).contains(email);

        // the dev inbox is the emulator's own page; click the link of our message there
        driver.findElement(By.linkText("dev inbox")).click();
        wait.until(ExpectedConditions.urlContains("/emulator"));
        List<OutboxMessage> outbox = WebClient.outbox(emulator, email);
        assertThat(outbox).isNotEmpty();
        String token = outbox.get(outbox.size() - 1).token();
        WebElement link = wait.until(ExpectedConditions.presenceOfElementLocated(
                By.cssSelector("a[href*='" + token + "']")));
        link.click();

        wait.until(ExpectedConditions.urlToBe(SharedSample.appBase() + "/account"));
        assertThat(driver.findElement(By.id("outcome")).getText()).isEqualTo("LINKED");
        assertThat(driver.findElement(By.tagName("h1")).getText()).isEqualTo("Hello, Erin Evans");
        assertThat(driver.getPageSource()).doesNotContain(token);

        Path shot = Path.of("target", "browser-account-page.png");
        Files.createDirectories(shot.getParent());
        Files.copy(((TakesScreenshot) driver).getScreenshotAs(OutputType.FILE).toPath(), shot,
                StandardCopyOption.REPLACE_EXISTING);
        assertThat(shot).isNotEmptyFile();

        // log out through the button in the header
        driver.findElement(By.cssSelector("header form button")).click();
        wait.until(ExpectedConditions.urlContains("/login?logged_out=1"));
        assertThat(driver.findElement(By.cssSelector("[role=status]")).getText()).contains("logged out");
    }
}
