package dev.edgepush.ingest.it;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.edgepush.forward.send.PushOutcome;
import dev.edgepush.forward.send.RemoteWriteClient;
import dev.edgepush.ingest.Bodies;
import dev.edgepush.ingest.CentralIngest;
import dev.edgepush.ingest.IngestFlags;
import dev.edgepush.ingest.auth.TokensFile;
import dev.edgepush.net.browser.HeadlessChromium;
import dev.edgepush.testsupport.VictoriaMetrics;
import io.netty.channel.EventLoopGroup;
import io.netty.channel.MultiThreadIoEventLoopGroup;
import io.netty.channel.nio.NioIoHandler;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicLong;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;
import org.openqa.selenium.By;
import org.openqa.selenium.Dimension;
import org.openqa.selenium.JavascriptExecutor;
import org.openqa.selenium.WebDriver;
import org.openqa.selenium.WebElement;
import org.openqa.selenium.support.ui.WebDriverWait;

/**
 * The fleet page as a person sees it, in a real browser: Debian's {@code chromium}, headless,
 * driven through {@code chromedriver} by Selenium. A real central-ingest (forwarding to a real
 * VictoriaMetrics) takes pushes from two robots, remote-write clients that report a backlog in
 * the agent's headers as edge-agent does; one robot stops pushing, goes offline, comes back with
 * a backlog and drains it. The page must show each step without being reloaded.
 *
 * <p>Screenshots go to {@code target/fleet-page*.png} (build artefacts; the README's is a copy).
 * Skipped, saying why, only when chromium or chromedriver is not installed ({@link
 * HeadlessChromium}; {@code .ci/run} installs both).
 */
@Timeout(value = 4, unit = TimeUnit.MINUTES)
class FleetPageBrowserIT {
    static final String READER = "reader-ops-token";
    /** Short, so that "offline" comes within seconds; the page reads the threshold from the stream. */
    static final String OFFLINE_AFTER = "3s";
    /** Generous: two cores shared with other builds; every wait polls and returns as soon as it can. */
    static final Duration WAIT = Duration.ofSeconds(60);

    @TempDir
    Path dir;

    VictoriaMetrics vm;
    CentralIngest ingest;
    EventLoopGroup group;
    ScheduledExecutorService pushers;
    WebDriver browser;

    /** A robot: pushes a sample every 500 ms while {@link #pushing}, reporting what the test sets. */
    final class Robot implements AutoCloseable {
        final String name;
        final AtomicBoolean pushing = new AtomicBoolean(true);
        final AtomicLong pending = new AtomicLong();
        final AtomicLong oldestAgeMs = new AtomicLong();
        final AtomicLong dropped = new AtomicLong();
        final long skewMs;
        final RemoteWriteClient client;
        volatile PushOutcome lastOutcome;

        Robot(String name, String token, long skewMs) {
            this.name = name;
            this.skewMs = skewMs;
            this.client = new RemoteWriteClient(
                    group,
                    "http://127.0.0.1:" + ingest.port() + "/api/v1/write",
                    token,
                    Duration.ofSeconds(10),
                    "edge-agent/test",
                    () -> Map.of(
                            "X-Edgepush-Pending-Samples", Long.toString(pending.get()),
                            "X-Edgepush-Oldest-Pending-Age-Seconds",
                                    String.format(java.util.Locale.ROOT, "%.3f", oldestAgeMs.get() / 1000.0),
                            "X-Edgepush-Dropped-Samples", Long.toString(dropped.get()),
                            "X-Edgepush-Agent-Time-Ms", Long.toString(System.currentTimeMillis() + skewMs)));
            pushers.scheduleWithFixedDelay(this::push, 0, 500, TimeUnit.MILLISECONDS);
        }

        private void push() {
            if (!pushing.get()) {
                return;
            }
            byte[] body = Bodies.v1(
                    Bodies.series(pending.get(), System.currentTimeMillis(), "__name__", "robot_backlog_demo"));
            lastOutcome = client.pushCompressed(body, 0, body.length);
        }

        @Override
        public void close() {
            pushing.set(false);
            client.close();
        }
    }

    @AfterEach
    void stop() {
        if (browser != null) {
            browser.quit();
        }
        if (pushers != null) {
            pushers.shutdownNow();
        }
        if (ingest != null) {
            ingest.close();
        }
        if (group != null) {
            group.shutdownGracefully(0, 1, TimeUnit.SECONDS);
        }
        if (vm != null) {
            vm.close();
        }
    }

    @Test
    void aRobotGoesOfflineComesBackAndDrainsItsBacklogOnTheLivePage() throws Exception {
        browser = HeadlessChromium.start(1100, 640);
        vm = new VictoriaMetrics(dir);
        Path tokens = dir.resolve("tokens");
        Files.writeString(
                tokens,
                "robot r1 42 " + TokensFile.hashOf("r1-token") + "\nrobot r2 42 " + TokensFile.hashOf("r2-token")
                        + "\nreader ops 42 " + TokensFile.hashOf(READER) + "\n");
        ingest = new CentralIngest(IngestFlags.parse(new String[] {
                    "-httpListenAddr=127.0.0.1:0",
                    "-remoteWrite.url=" + vm.writeUrl(),
                    "-auth.tokensFile=" + tokens,
                    "-wal.path=" + dir.resolve("wal"),
                    "-fleet.offlineAfter=" + OFFLINE_AFTER
                })
                .validate());
        group = new MultiThreadIoEventLoopGroup(1, NioIoHandler.newFactory());
        pushers = Executors.newScheduledThreadPool(2);
        Robot r1 = new Robot("r1", "r1-token", 0);
        Robot r2 = new Robot("r2", "r2-token", 4_000); // its clock runs 4 s ahead
        r2.dropped.set(12);
        // The page re-renders from each event (once a second): an element read between a find and its
        // text can be replaced meanwhile; the wait asks again rather than failing.
        org.openqa.selenium.support.ui.FluentWait<WebDriver> wait = new WebDriverWait(
                        browser, WAIT, Duration.ofMillis(200))
                .ignoring(org.openqa.selenium.StaleElementReferenceException.class);
        wait.until(d ->
                r1.lastOutcome instanceof PushOutcome.Delivered && r2.lastOutcome instanceof PushOutcome.Delivered);

        // Basic auth in the URL: chromium answers the 401 with it and keeps it for the page's stream and files.
        browser.get("http://ops:" + READER + "@127.0.0.1:" + ingest.port() + "/fleet");
        wait.withMessage("the page goes live").until(d -> text(d, "#live").equals("live"));
        wait.withMessage("both robots online")
                .until(d -> state(d, "r1").equals("online") && state(d, "r2").equals("online"));
        wait.withMessage("r2's drops and clock skew")
                .until(d -> cell(d, "r2", "dropped").equals("12")
                        && cell(d, "r2", "skew").matches("\\+[34]\\.\\d s"));
        js(browser, "window.notReloaded = true;");

        // r1 loses its link: it stops pushing, and its samples pile up on its disk meanwhile.
        r1.pushing.set(false);
        wait.withMessage("r1 offline on the page").until(d -> state(d, "r1").equals("offline"));
        assertEquals("online", state(browser, "r2"), "the other robot is not affected");
        assertEquals("1 of 2 robots online", text(browser, "#summary").substring(0, "1 of 2 robots online".length()));

        // The link is back: r1 pushes again with the backlog it built up, then drains it.
        r1.pending.set(4_000);
        r1.oldestAgeMs.set(45_000);
        r1.pushing.set(true);
        wait.withMessage("r1 draining its backlog")
                .until(d -> state(d, "r1").equals("draining")
                        && cell(d, "r1", "pending").equals("4,000"));
        assertEquals("45 s", cell(browser, "r1", "delay"));
        for (long left = 3_000; left >= 0; left -= 1_000) {
            long shown = left;
            r1.pending.set(left);
            r1.oldestAgeMs.set(left == 0 ? 300 : 30_000);
            wait.withMessage("r1's backlog at " + left)
                    .until(d -> cell(d, "r1", "pending").equals(String.format("%,d", shown)));
            if (left == 2_000) {
                screenshot("fleet-page-draining.png");
            }
        }
        wait.withMessage("r1 drained: online again").until(d -> state(d, "r1").equals("online"));
        assertEquals("0", cell(browser, "r1", "pending"));
        assertEquals(
                "4000",
                browser.findElement(row("r1"))
                        .findElement(By.cssSelector("td.trend"))
                        .getDomAttribute("data-max"),
                "the trend still shows the backlog that was");
        assertFalse(
                browser.findElements(By.cssSelector("tr[data-robot='r1'] td.trend canvas"))
                        .isEmpty(),
                "the trend is drawn (uPlot)");
        assertEquals(Boolean.TRUE, js(browser, "return window.notReloaded === true;"), "all of it without a reload");
        Path wide = screenshot("fleet-page.png");

        // Sort: a click on "backlog" sorts by it; a second click reverses.
        browser.findElement(By.cssSelector("th[data-key='robot']")).click();
        wait.withMessage("sorted by name, descending")
                .until(d -> robotsInOrder(d).equals(List.of("r2", "r1")));
        browser.findElement(By.cssSelector("th[data-key='robot']")).click();
        wait.withMessage("sorted by name, ascending")
                .until(d -> robotsInOrder(d).equals(List.of("r1", "r2")));
        // Filter.
        browser.findElement(By.id("filter")).sendKeys("r2");
        wait.withMessage("the filter hides r1")
                .until(d -> !d.findElement(row("r1")).isDisplayed()
                        && d.findElement(row("r2")).isDisplayed());
        browser.findElement(By.id("filter")).clear();
        js(browser, "document.getElementById('filter').dispatchEvent(new Event('input'));");
        // Detail view, after r1 sent one sample older than the storage's retention (refused there).
        byte[] tooOld =
                Bodies.v1(Bodies.series(1, System.currentTimeMillis() - 40L * 86_400_000, "__name__", "robot_old"));
        assertInstanceOf(PushOutcome.Delivered.class, r1.client.pushCompressed(tooOld, 0, tooOld.length));
        browser.findElement(By.cssSelector("tr[data-robot='r1'] td.robot a")).click();
        wait.withMessage("r1's detail view")
                .until(d -> d.findElement(By.id("detail")).isDisplayed()
                        && text(d, "#detail h2").equals("r1")
                        && text(d, "#detail dd.state").equals("online")
                        && text(d, "#detail dd.refused").equals("1 too old, 0 too new"));
        assertTrue(browser.getCurrentUrl().endsWith("#robot=r1"), browser.getCurrentUrl());
        assertFalse(browser.findElements(By.cssSelector("#detail .plot canvas")).isEmpty(), "the detail chart");
        browser.manage().window().setSize(new Dimension(1100, 900));
        wait.withMessage("the detail chart, resized")
                .until(d ->
                        !d.findElements(By.cssSelector("#detail .plot canvas")).isEmpty());
        screenshot("fleet-page-detail.png");

        // On a phone: one card per robot.
        browser.manage().window().setSize(new Dimension(390, 844));
        browser.get(browser.getCurrentUrl().replaceFirst("#.*", "")); // the fleet, not the detail
        wait.withMessage("cards on a narrow screen")
                .until(d -> "block"
                                .equals(
                                        js(
                                                d,
                                                "return getComputedStyle(document.querySelector(\"tr[data-robot='r1']\")).display;"))
                        && text(d, "#live").equals("live"));
        screenshot("fleet-page-phone.png");

        // central-ingest stops: the stream ends cleanly and the page says so.
        ingest.close();
        assertEquals(0, ingest.fleetStreamsOpen(), "every stream ended at shutdown");
        ingest = null;
        wait.withMessage("the page notices the end").until(d -> text(d, "#live").startsWith("connection lost"));
        assertTrue(Files.size(wide) > 10_000, "a real screenshot: " + Files.size(wide));
    }

    private static By row(String robot) {
        return By.cssSelector("tr[data-robot='" + robot + "']");
    }

    private static String text(WebDriver d, String css) {
        return d.findElement(By.cssSelector(css)).getText().strip();
    }

    private static String cell(WebDriver d, String robot, String column) {
        List<WebElement> cells = d.findElements(By.cssSelector("tr[data-robot='" + robot + "'] td." + column));
        return cells.isEmpty() ? "" : cells.get(0).getText().strip();
    }

    private static String state(WebDriver d, String robot) {
        return cell(d, robot, "state");
    }

    private static List<String> robotsInOrder(WebDriver d) {
        return d.findElements(By.cssSelector("#fleet tbody tr")).stream()
                .map(e -> e.getDomAttribute("data-robot"))
                .toList();
    }

    private static Object js(WebDriver d, String script) {
        return ((JavascriptExecutor) d).executeScript(script);
    }

    private Path screenshot(String name) throws Exception {
        return HeadlessChromium.screenshot(browser, name);
    }
}
