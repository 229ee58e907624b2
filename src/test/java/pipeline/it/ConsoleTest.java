package pipeline.it;

import java.net.CookieManager;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Map;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.stream.Collectors;

import org.junit.jupiter.api.Test;
import org.openqa.selenium.By;
import org.openqa.selenium.OutputType;
import org.openqa.selenium.TakesScreenshot;
import org.openqa.selenium.WebDriver;
import org.openqa.selenium.WebElement;
import org.openqa.selenium.chrome.ChromeDriver;
import org.openqa.selenium.chrome.ChromeDriverService;
import org.openqa.selenium.chrome.ChromeOptions;
import org.openqa.selenium.support.ui.WebDriverWait;
import pipeline.dev.DevServers;

import static org.assertj.core.api.Assertions.assertThat;
import static pipeline.it.CdcToLakeTest.createTable;
import static pipeline.it.CdcToLakeTest.execute;

/**
 * An operator's first look: headless Chromium opens the Hawtio console, logs in, and finds the three
 * routes with their exchange counts rising while trips are written; a wrong password is refused, as
 * are Jolokia calls without a login, from another web origin or after logout; the statistics of a
 * chosen month are computed through the JMX operation the console offers. Needs Debian's chromium and
 * chromium-driver packages (.ci/run installs them).
 */
class ConsoleTest {

    private static final String CHROMIUM = "/usr/bin/chromium";
    private static final String CHROMEDRIVER = "/usr/bin/chromedriver";
    private static final String USER = "operator";
    private static final String PASSWORD = "console-test-password";

    @Test
    void anOperatorLogsInAndWatchesTheThreeRoutesWork() throws Exception {
        assertThat(Path.of(CHROMIUM)).as("install Debian's chromium and chromium-driver: apt-get install chromium chromium-driver")
                .exists();
        assertThat(Path.of(CHROMEDRIVER)).as("install Debian's chromium-driver: apt-get install chromium-driver").exists();
        String name = "trip_console";
        createTable(name);
        int port = DevServers.freePort();
        String console = "http://localhost:" + port + "/hawtio";
        AtomicInteger trips = new AtomicInteger();
        ScheduledExecutorService fleet = Executors.newSingleThreadScheduledExecutor();
        try (RunningPipeline pipeline = new RunningPipeline(name).with("pipeline.hawtio.port", String.valueOf(port))
                .with("pipeline.hawtio.user", USER).with("pipeline.hawtio.password", PASSWORD)
                .with("pipeline.stats.restate-interval", "2s").with("pipeline.lake.compact-interval", "2s").start()) {
            fleet.scheduleWithFixedDelay(() -> {
                int id = trips.incrementAndGet();
                try {
                    execute("INSERT INTO public." + name + " (trip_id, vehicle_id, started_at) VALUES (" + id + ", 'v-" + id % 5
                            + "', now())");
                } catch (Exception e) {
                    throw new IllegalStateException(e);
                }
            }, 0, 300, TimeUnit.MILLISECONDS);

            WebDriver browser = chromium();
            try {
                logIn(browser, console, PASSWORD);
                new WebDriverWait(browser, Duration.ofSeconds(30)).withMessage("logged in")
                        .until(page -> page.findElements(By.id("pf-login-password-id")).isEmpty());
                Map<String, Long> first = completedPerRoute(browser, console);
                assertThat(first).containsOnlyKeys("cdc-to-kafka", "kafka-to-s3", "monthly-stats", "restate-stats", "compact-lake");
                new WebDriverWait(browser, Duration.ofSeconds(60)).pollingEvery(Duration.ofSeconds(3)).withMessage("exchange counts rising")
                        .until(page -> {
                            Map<String, Long> now = completedPerRoute(page, console);
                            return now.get("cdc-to-kafka") > first.get("cdc-to-kafka") && now.get("kafka-to-s3") > first.get("kafka-to-s3")
                                    && now.get("kafka-to-s3") >= 2 && now.get("restate-stats") > first.get("restate-stats")
                                    && now.get("compact-lake") > first.get("compact-lake");
                        });
                Path screenshot = Path.of("target", "hawtio-routes.png");
                Files.write(screenshot, ((TakesScreenshot) browser).getScreenshotAs(OutputType.BYTES));

                browser.manage().deleteAllCookies();
                browser.get(console + "/");
                logIn(browser, console, "not-the-password");
                Thread.sleep(3000);
                assertThat(browser.findElements(By.id("pf-login-password-id"))).as("still on the login form").isNotEmpty();
                assertThat(browser.getPageSource()).doesNotContain("kafka-to-s3");
            } finally {
                browser.quit();
            }

            HttpClient anonymous = HttpClient.newHttpClient();
            assertThat(anonymous.send(HttpRequest.newBuilder(URI.create(console + "/jolokia/version")).build(),
                    HttpResponse.BodyHandlers.ofString()).statusCode()).as("Jolokia without a login").isIn(401, 403);
            HttpClient operator = HttpClient.newBuilder().cookieHandler(new CookieManager()).build();
            assertThat(operator.send(HttpRequest.newBuilder(URI.create(console + "/auth/login")).header("Content-Type", "application/json")
                    .POST(HttpRequest.BodyPublishers.ofString("{\"username\":\"" + USER + "\",\"password\":\"" + PASSWORD + "\"}")).build(),
                    HttpResponse.BodyHandlers.ofString()).statusCode()).isEqualTo(200);
            HttpResponse<String> sameOrigin = operator.send(HttpRequest.newBuilder(URI.create(console + "/jolokia/version")).build(),
                    HttpResponse.BodyHandlers.ofString());
            assertThat(sameOrigin.statusCode()).isEqualTo(200);
            assertThat(sameOrigin.body()).contains("\"status\":200");
            assertThat(operator.send(HttpRequest.newBuilder(URI.create(console + "/jolokia/version"))
                    .header("Origin", "http://attacker.example").build(), HttpResponse.BodyHandlers.ofString()).statusCode())
                    .as("a logged-in session used from another web origin").isEqualTo(403);

            HttpResponse<String> computed = jolokiaExec(operator, console, "2024-05");
            assertThat(computed.body()).contains("\"status\":200", "statistics for 2024-05: 0 vehicles");
            assertThat(new Lake(pipeline.bucket, pipeline.table).objects("stats/vehicle_monthly/year=2024/month=05/"))
                    .contains("stats/vehicle_monthly/year=2024/month=05/_SUCCESS");
            assertThat(jolokiaExec(operator, console, "May 2024").body()).contains("month must be YYYY-MM");

            HttpResponse<String> logout = operator.send(HttpRequest.newBuilder(URI.create(console + "/auth/logout")).build(),
                    HttpResponse.BodyHandlers.ofString());
            assertThat(logout.statusCode()).as("logout").isLessThan(500);
            assertThat(operator.send(HttpRequest.newBuilder(URI.create(console + "/jolokia/version")).build(),
                    HttpResponse.BodyHandlers.ofString()).statusCode()).as("Jolokia after logout").isIn(401, 403);
        } finally {
            fleet.shutdownNow();
        }
    }

    /** What the JMX view's "computeMonth" button sends. */
    private static HttpResponse<String> jolokiaExec(HttpClient operator, String console, String month) throws Exception {
        return operator.send(HttpRequest.newBuilder(URI.create(console + "/jolokia")).header("Content-Type", "application/json")
                .POST(HttpRequest.BodyPublishers.ofString("{\"type\":\"exec\",\"mbean\":\"trip-pipeline:type=statistics\","
                        + "\"operation\":\"computeMonth\",\"arguments\":[\"" + month + "\"]}"))
                .build(), HttpResponse.BodyHandlers.ofString());
    }

    private static WebDriver chromium() {
        ChromeOptions options = new ChromeOptions();
        options.setBinary(CHROMIUM);
        options.addArguments("--headless=new", "--no-sandbox", "--disable-background-networking", "--disable-dev-shm-usage",
                "--window-size=1400,900");
        return new ChromeDriver(new ChromeDriverService.Builder().usingDriverExecutable(Path.of(CHROMEDRIVER).toFile()).build(), options);
    }

    private static void logIn(WebDriver browser, String console, String password) {
        browser.get(console + "/");
        new WebDriverWait(browser, Duration.ofSeconds(30)).until(page -> !page.findElements(By.id("pf-login-username-id")).isEmpty());
        browser.findElement(By.id("pf-login-username-id")).sendKeys(USER);
        browser.findElement(By.id("pf-login-password-id")).sendKeys(password);
        browser.findElement(By.cssSelector("button[type=submit]")).click();
    }

    /** The Camel view's routes table: route id to its Completed count. */
    private static Map<String, Long> completedPerRoute(WebDriver browser, String console) {
        browser.get(console + "/camel/contexts");
        By routesFolder = By.xpath("//*[text()='routes']");
        new WebDriverWait(browser, Duration.ofSeconds(30)).until(page -> !page.findElements(routesFolder).isEmpty());
        browser.findElement(routesFolder).click();
        new WebDriverWait(browser, Duration.ofSeconds(30)).until(page -> page.findElements(By.cssSelector("table tbody tr")).size() >= 3);
        int completed = columnIndex(browser, "Completed");
        return browser.findElements(By.cssSelector("table tbody tr")).stream().collect(Collectors.toMap(
                row -> row.findElements(By.cssSelector("td")).get(columnIndex(browser, "Name")).getText().replace("\n", ""),
                row -> Long.parseLong(row.findElements(By.cssSelector("td")).get(completed).getText().trim())));
    }

    private static int columnIndex(WebDriver browser, String header) {
        var headers = browser.findElements(By.cssSelector("table thead th")).stream().map(WebElement::getText).toList();
        int index = headers.indexOf(header);
        assertThat(index).as("column " + header + " in " + headers).isNotNegative();
        return index;
    }
}
