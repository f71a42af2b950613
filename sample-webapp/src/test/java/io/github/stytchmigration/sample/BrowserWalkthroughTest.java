package io.github.stytchmigration.sample;

import io.github.stytchmigration.emulator.OutboxMessage;
import io.github.stytchmigration.emulator.StytchEmulator;
import io.github.stytchmigration.sample.testing.HeadlessChromium;
import io.github.stytchmigration.sample.testing.Totp;
import io.github.stytchmigration.sample.testing.WebClient;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.MethodOrderer;
import org.junit.jupiter.api.Order;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestMethodOrder;
import org.junit.jupiter.api.extension.ExtensionContext;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.api.extension.TestWatcher;
import org.junit.jupiter.api.io.TempDir;
import org.openqa.selenium.By;
import org.openqa.selenium.Cookie;
import org.openqa.selenium.WebDriver;
import org.openqa.selenium.WebElement;
import org.openqa.selenium.WindowType;
import org.openqa.selenium.support.ui.ExpectedConditions;

import java.nio.file.Path;
import java.time.Instant;
import java.util.List;
import java.util.Locale;
import java.util.Map;

import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assertions.fail;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

/**
 * The README's "Running the sample" walkthrough, clicked through like a person in one headless Chromium
 * against one freshly started sample (its own embedded PostgreSQL and emulator: the README's addresses,
 * Alice and Tess, are used by the other tests of the shared sample, and the progress page's figures must
 * be this walk's). The steps are ordered and build on each other; after a failed step the rest are skipped.
 *
 * <p>Every page visited is saved as {@code target/screenshots/NN-step.png} for review. The checks use
 * URLs, element ids, form structure and the outcome words, not prose that may be reworded.
 *
 * <p>Skipped when Chromium is missing, except in CI ({@code CI=true}, where {@code .ci/run} installs it),
 * where that is a failure.
 */
@TestMethodOrder(MethodOrderer.OrderAnnotation.class)
class BrowserWalkthroughTest {
    /** Schema.SEED: "a dozen people", one of them (Tess) flagged for TOTP. */
    static final int SEEDED_USERS = 12;
    static final String ALICE = "alice.anderson@example.com"; // seeded as Alice.Anderson@Example.com
    static final String NEWCOMER = "nina.newcomer@example.com";
    static final String GOOGLE_USER = "bob.brown@example.com";
    static final String TESS = "tess.taylor@example.com";
    static final String CODE_USER = "dmitri@example.org";
    static final String SPA_USER = "farah@example.net";

    @TempDir
    static Path temp;
    static SampleLauncher sample;
    static StytchEmulator emulator;
    static HeadlessChromium chromium;
    static WebDriver driver;
    static String app; // http://localhost:PORT/, as the sample prints it
    static String inbox;

    static long startedAt;
    static long sampleReadyAt;
    static long browserReadyAt;

    // what later steps compare with
    static String aliceStytchUserId;
    static String linkSource;
    static String codeSource;
    static String tessTotpSecret;
    static String tessStytchUserId;
    static String brokenAt;

    @RegisterExtension
    static final TestWatcher STOP_AT_FIRST_FAILURE = new TestWatcher() {
        @Override
        public void testFailed(ExtensionContext context, Throwable cause) {
            brokenAt = context.getDisplayName();
            if (chromium != null) {
                chromium.screenshot("FAILED-" + context.getRequiredTestMethod().getName());
            }
        }
    };

    @BeforeAll
    static void startSampleAndBrowser() throws Exception {
        String missing = HeadlessChromium.missing();
        if (missing != null && "true".equals(System.getenv("CI"))) {
            fail(missing + " (CI=true: the browser walkthrough must run; .ci/run installs Chromium when run as root)");
        }
        assumeTrue(missing == null, missing + "; skipping the browser walkthrough");
        startedAt = System.nanoTime();
        sample = SampleLauncher.start(new SampleLauncher.Options()
                .port(0)
                .dataDir(temp.resolve("postgres"))
                .env(Map.of()) // emulator and embedded PostgreSQL, whatever the machine's env says
                .webappDir(Path.of("src/main/webapp")));
        emulator = sample.emulator();
        app = sample.appUrl();
        inbox = emulator.baseUrl() + "/emulator";
        sampleReadyAt = System.nanoTime();
        chromium = HeadlessChromium.start(temp.resolve("chromium-profile"), Path.of("target", "screenshots"));
        driver = chromium.driver();
        browserReadyAt = System.nanoTime();
    }

    @AfterAll
    static void stop() {
        if (chromium != null) {
            // one write before anything stops: the stopping servers' log lines would cut into it
            long end = System.nanoTime();
            System.out.println(String.format(Locale.ROOT, "BrowserWalkthroughTest: sample started in %.1f s,"
                            + " Chromium in %.1f s, %d pages walked in %.1f s; %.1f s in all; screenshots in"
                            + " target/screenshots/",
                    seconds(startedAt, sampleReadyAt), seconds(sampleReadyAt, browserReadyAt),
                    chromium.screenshots(), seconds(browserReadyAt, end), seconds(startedAt, end)));
        }
        try {
            if (chromium != null) {
                chromium.close();
            }
        } finally {
            if (sample != null) {
                sample.close();
            }
        }
    }

    @BeforeEach
    void earlierStepsPassed() {
        assumeTrue(brokenAt == null, () -> "the walk stopped at the failed step " + brokenAt);
    }

    @Test
    @Order(1)
    void seededUserOpensTheLinkFromTheDevInboxAndIsLinked() {
        driver.get(app);
        chromium.waiting().until(ExpectedConditions.urlToBe(app + "login"));
        chromium.screenshot("login");

        emailMeALink(ALICE);
        assertThat(outcome()).isEqualTo("LINKED");
        assertThat(column("email")).as("the seeded row, as it was typed back then").isEqualTo("Alice.Anderson@Example.com");
        assertThat(column("origin")).isEqualTo("legacy");
        aliceStytchUserId = text("stytch-user-id");
        assertThat(aliceStytchUserId).isNotBlank().isEqualTo(column("stytch_user_id"));
        linkSource = text("login-source");
        chromium.screenshot("account-linked");
    }

    @Test
    @Order(2)
    void loggingOutAndInAgainIsAlreadyLinked() {
        logOut();
        emailMeALink(ALICE);
        assertThat(outcome()).isEqualTo("ALREADY_LINKED");
        assertThat(text("stytch-user-id")).isEqualTo(aliceStytchUserId);
        chromium.screenshot("account-already-linked");
    }

    @Test
    @Order(3)
    void aNewAddressIsCreated() {
        logOut();
        emailMeALink(NEWCOMER);
        assertThat(outcome()).isEqualTo("CREATED");
        assertThat(column("email")).isEqualTo(NEWCOMER);
        assertThat(column("origin")).isNotEqualTo("legacy");
        assertThat(text("stytch-user-id")).isNotBlank().isNotEqualTo(aliceStytchUserId);
        chromium.screenshot("account-created");
    }

    @Test
    @Order(4)
    void continueWithGoogleGoesThroughTheEmulatedConsentPage() {
        logOut();
        chromium.clickAndWait(driver.findElement(By.cssSelector("main a[href$='/login/google']")));
        assertThat(driver.getCurrentUrl()).startsWith(emulator.baseUrl() + "/v1/public/oauth/google/start?");
        chromium.screenshot("google-consent");

        chromium.type("email", GOOGLE_USER);
        chromium.clickAndWait(driver.findElement(By.cssSelector("form button[type=submit]")));
        assertThat(driver.getCurrentUrl()).isEqualTo(app + "account");
        assertThat(outcome()).isEqualTo("LINKED");
        assertThat(column("email")).isEqualTo(GOOGLE_USER);
        assertThat(text("login-source")).as("Google comes back through Stytch like a link").isEqualTo(linkSource);
        chromium.screenshot("account-google");
    }

    @Test
    @Order(5)
    void progressPageCountsLinkedCreatedAndNotYetMigrated() {
        driver.get(app + "migration");
        assertThat(driver.getCurrentUrl()).isEqualTo(app + "migration");
        // so far: Alice and Bob linked, Nina created, Tess not migrated yet
        assertThat(text("count-linked")).isEqualTo("2");
        assertThat(text("count-created")).isEqualTo("1");
        assertThat(text("count-not-migrated")).isEqualTo(String.valueOf(SEEDED_USERS - 2));
        assertThat(text("count-mfa-pending")).isEqualTo("1");
        WebElement progress = driver.findElement(By.id("progress"));
        assertThat(progress.getAttribute("value")).isEqualTo("2");
        assertThat(progress.getAttribute("max")).isEqualTo(String.valueOf(SEEDED_USERS));
        assertThat(driver.findElements(By.cssSelector("#users tbody tr"))).hasSize(SEEDED_USERS + 1);
        chromium.screenshot("migration-progress");
    }

    @Test
    @Order(6)
    void totpUserProvesHerLegacyCodeThenEnrollsWithStytch() {
        logOut();
        emailMeALink(TESS, "mfa/verify");
        assertThat(attribute("second-factor-kind", "data-kind")).isEqualTo("legacy");
        assertThat(driver.findElements(By.cssSelector("header #logout"))).as("not logged in by the link alone").isEmpty();
        assertThat(driver.findElements(By.cssSelector("header a[href$='/login']"))).as("no second login offered").isEmpty();
        assertThat(driver.findElements(By.cssSelector("header #cancel-login"))).as("the pending login can be dropped").hasSize(1);
        String devCode = text("dev-legacy-code");
        assertThat(devCode).matches("[0-9]{6}");
        chromium.screenshot("second-factor-legacy");

        chromium.type("code", devCode);
        chromium.clickAndWait(driver.findElement(By.cssSelector("form[action$='/mfa/verify'] button[type=submit]")));
        assertThat(driver.getCurrentUrl()).isEqualTo(app + "mfa/totp");
        // the setup key, as a person would type it into an authenticator app
        tessTotpSecret = text("totp-secret").replace(" ", "");
        assertThat(tessTotpSecret).matches("[A-Z2-7]+=*");
        assertThat(driver.findElement(By.id("otpauth-uri")).getAttribute("href"))
                .startsWith("otpauth://totp/").contains("secret=" + tessTotpSecret);
        chromium.screenshot("totp-enroll");

        chromium.type("code", Totp.code(tessTotpSecret, Instant.now()));
        chromium.clickAndWait(driver.findElement(By.cssSelector("form[action$='/mfa/totp'] button[type=submit]")));
        assertThat(driver.getCurrentUrl()).startsWith(app + "account");
        assertThat(column("email")).isEqualTo("Tess.Taylor@example.com");
        // linked by this login (she was "not yet migrated" on the progress page), as the account page says
        assertThat(outcome()).isEqualTo("LINKED");
        assertThat(text("login-source")).isEqualTo(linkSource);
        tessStytchUserId = column("stytch_user_id");
        assertThat(tessStytchUserId).startsWith("user-").isEqualTo(text("stytch-user-id"));
        assertThat(column("mfa_reenrolled_at")).isNotEqualTo("null").isNotBlank();
        assertThat(driver.findElements(By.cssSelector("main a[href$='/mfa/totp']"))).as("nothing left to set up").isEmpty();
        chromium.screenshot("account-totp-enrolled");
    }

    @Test
    @Order(7)
    void totpUserLoggingInAgainIsAskedForTheStytchCode() {
        logOut();
        emailMeALink(TESS, "mfa/verify");
        assertThat(attribute("second-factor-kind", "data-kind")).isEqualTo("stytch");
        assertThat(driver.findElements(By.id("dev-legacy-code"))).as("no dev aid for the Stytch factor").isEmpty();
        chromium.screenshot("second-factor-stytch");

        chromium.type("code", Totp.code(tessTotpSecret, Instant.now()));
        chromium.clickAndWait(driver.findElement(By.cssSelector("form[action$='/mfa/verify'] button[type=submit]")));
        assertThat(driver.getCurrentUrl()).isEqualTo(app + "account");
        assertThat(column("email")).isEqualTo("Tess.Taylor@example.com");
        assertThat(outcome()).isEqualTo("ALREADY_LINKED");
        assertThat(column("stytch_user_id")).as("already linked: the same Stytch user").isEqualTo(tessStytchUserId);
        chromium.screenshot("account-totp-again");
    }

    @Test
    @Order(8)
    void emailMeACodeLogsInThroughTheAppsOwnBackend() {
        logOut();
        chromium.type("email", CODE_USER);
        chromium.clickAndWait(driver.findElement(By.cssSelector("form button[formaction$='/login/code']")));
        assertStyledCodeBox();
        chromium.screenshot("enter-code");

        chromium.type("code", codeFromTheDevInbox(CODE_USER, "dev-inbox-code"));
        chromium.clickAndWait(driver.findElement(By.cssSelector("main form[action$='/login/code'] button[type=submit]")));
        assertThat(driver.getCurrentUrl()).isEqualTo(app + "account");
        assertThat(outcome()).isEqualTo("LINKED");
        assertThat(column("email")).isEqualTo("dmitri@Example.org");
        codeSource = text("login-source");
        assertThat(codeSource).as("the account page tells the app's own backend from a link").isNotEqualTo(linkSource);
        chromium.screenshot("account-code");
    }

    @Test
    @Order(9)
    void spaPageLogsInFromTheFrontendSdksCookiesAndLogsOutThroughTheFilter() {
        logOut();
        driver.get(app + "spa");
        chromium.screenshot("spa");
        chromium.type("email", SPA_USER);
        chromium.clickAndWait(driver.findElement(By.cssSelector("main form[action$='/spa'] button[type=submit]")));
        assertStyledCodeBox();
        chromium.screenshot("spa-enter-code");

        chromium.type("code", codeFromTheDevInbox(SPA_USER, "dev-inbox-spa-code"));
        chromium.clickAndWait(driver.findElement(By.cssSelector("main form[action$='/spa'] button[type=submit]")));
        assertThat(driver.getCurrentUrl()).isEqualTo(app + "account");
        assertThat(outcome()).isEqualTo("LINKED");
        assertThat(column("email")).isEqualTo(SPA_USER);
        assertThat(text("login-source")).as("logged in from the cookies, not by the page")
                .isNotEqualTo(linkSource).isNotEqualTo(codeSource);
        Cookie sessionToken = driver.manage().getCookieNamed("stytch_session");
        Cookie sessionJwt = driver.manage().getCookieNamed("stytch_session_jwt");
        assertThat(sessionToken).isNotNull();
        assertThat(sessionJwt).isNotNull();
        assertThat(driver.getPageSource()).as("the session stays in its cookies")
                .doesNotContain(sessionToken.getValue()).doesNotContain(sessionJwt.getValue());
        chromium.screenshot("account-spa");

        driver.get(app + "spa");
        chromium.screenshot("spa-logged-in");
        chromium.clickAndWait(driver.findElement(By.cssSelector("main form[action$='/spa/logout'] button")));
        assertThat(driver.manage().getCookieNamed("stytch_session")).isNull();
        assertThat(driver.manage().getCookieNamed("stytch_session_jwt")).isNull();
        assertThat(driver.getCurrentUrl()).as("the same notice as the header's logout").isEqualTo(app + "login?logged_out=1");
        chromium.screenshot("spa-logged-out");
        driver.get(app + "account");
        assertThat(driver.getCurrentUrl()).as("logged out for good").isEqualTo(app + "login");
    }

    /** From the login page: types the address, asks for a link, opens it from the dev inbox; lands on /account. */
    static void emailMeALink(String email) {
        emailMeALink(email, "account");
    }

    static void emailMeALink(String email, String landsOn) {
        assertThat(driver.getCurrentUrl()).startsWith(app + "login");
        chromium.type("email", email);
        chromium.clickAndWait(driver.findElement(By.cssSelector("main form[action$='/login'] button[type=submit]:not([formaction])")));
        assertThat(driver.findElement(By.tagName("main")).getText()).contains(email);
        chromium.screenshot("check-your-email");

        chromium.clickAndWait(driver.findElement(By.cssSelector("main a[href='" + inbox + "']")));
        chromium.screenshot("dev-inbox");
        OutboxMessage message = newest(email, OutboxMessage.KIND_MAGIC_LINK);
        String url = message.url();
        // the newest link for this address, found by its URL: the one a person clicks
        WebElement link = driver.findElements(By.tagName("a")).stream()
                .filter(a -> url.equals(a.getAttribute("href")))
                .findFirst()
                .orElseThrow(() -> new AssertionError("the dev inbox shows no link to " + url));
        chromium.clickAndWait(link);
        assertThat(driver.getCurrentUrl()).isEqualTo(app + landsOn);
        assertThat(driver.getPageSource()).as("the one-time token stays out of the page").doesNotContain(message.token());
    }

    /** Reads the newest code for this address in the dev inbox, opened in a second tab as a person would. */
    static String codeFromTheDevInbox(String email, String step) {
        String code = newest(email, OutboxMessage.KIND_OTP).code();
        String appTab = driver.getWindowHandle();
        driver.switchTo().newWindow(WindowType.TAB);
        driver.get(inbox);
        assertThat(driver.findElement(By.tagName("main")).getText()).contains(email).contains(code);
        chromium.screenshot(step);
        driver.close();
        driver.switchTo().window(appTab);
        return code;
    }

    /** The code box is a text box for digits that the page's stylesheet reaches (its code rule sets a monospace font). */
    static void assertStyledCodeBox() {
        WebElement code = driver.findElement(By.id("code"));
        assertThat(code.getAttribute("type")).isEqualTo("text");
        assertThat(code.getAttribute("inputmode")).isEqualTo("numeric");
        assertThat(code.getAttribute("autocomplete")).isEqualTo("one-time-code");
        assertThat(driver.findElements(By.cssSelector("label[for=code]"))).hasSize(1);
        assertThat(code.getCssValue("font-family")).contains("monospace");
    }

    /** Logs out with the header's button and lands on the login page. */
    static void logOut() {
        chromium.clickAndWait(driver.findElement(By.cssSelector("header form[action$='/logout'] button")));
        assertThat(driver.getCurrentUrl()).startsWith(app + "login");
        assertThat(driver.findElements(By.cssSelector("header form[action$='/logout']"))).isEmpty();
        assertThat(driver.getCurrentUrl()).isEqualTo(app + "login?logged_out=1");
        chromium.screenshot("logged-out");
    }

    static OutboxMessage newest(String email, String kind) {
        List<OutboxMessage> messages = WebClient.outbox(emulator, email);
        assertThat(messages).as("messages to " + email).isNotEmpty();
        OutboxMessage last = messages.get(messages.size() - 1);
        assertThat(last.kind()).isEqualTo(kind);
        return last;
    }

    static String outcome() {
        return text("outcome");
    }

    static String text(String id) {
        return driver.findElement(By.id(id)).getText().strip();
    }

    static String attribute(String id, String name) {
        return driver.findElement(By.id(id)).getAttribute(name);
    }

    /** A cell of the account page's "your row" table. */
    static String column(String name) {
        return driver.findElement(By.cssSelector("#user-row td[data-column='" + name + "']")).getText().strip();
    }

    static double seconds(long from, long to) {
        return (to - from) / 1e9;
    }
}
