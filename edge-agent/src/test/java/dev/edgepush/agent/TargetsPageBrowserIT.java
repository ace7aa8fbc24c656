package dev.edgepush.agent;

import static com.github.tomakehurst.wiremock.client.WireMock.aResponse;
import static com.github.tomakehurst.wiremock.client.WireMock.post;
import static com.github.tomakehurst.wiremock.client.WireMock.urlEqualTo;
import static com.github.tomakehurst.wiremock.core.WireMockConfiguration.options;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.github.tomakehurst.wiremock.WireMockServer;
import dev.edgepush.compat.GlobalConfig;
import dev.edgepush.compat.ScrapeConfig;
import dev.edgepush.net.browser.HeadlessChromium;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;
import org.openqa.selenium.By;
import org.openqa.selenium.JavascriptExecutor;
import org.openqa.selenium.WebDriver;
import org.openqa.selenium.support.ui.WebDriverWait;

/**
 * The agent's /targets page in a real browser (headless chromium, {@link HeadlessChromium}): the
 * remote answers 503 while samples are pushed to the agent, so the page shows a backlog and the
 * remote unavailable; then the remote comes back and the page shows the backlog drain to 0 and
 * the samples sent, updated in place from /api/v1/status, without a reload.
 */
@Timeout(value = 3, unit = TimeUnit.MINUTES)
class TargetsPageBrowserIT {
    static final int SAMPLES = 500;

    @TempDir
    Path tmp;

    WireMockServer remote;
    Agent agent;
    WebDriver browser;

    @AfterEach
    void stop() {
        if (browser != null) {
            browser.quit();
        }
        if (agent != null) {
            agent.close();
        }
        if (remote != null) {
            remote.stop();
        }
    }

    @Test
    void theBacklogIsSeenDrainingWithoutAReload() throws Exception {
        browser = HeadlessChromium.start(1000, 900);
        System.setProperty("chronicle.analytics.disable", "true");
        remote = new WireMockServer(options().bindAddress("127.0.0.1").dynamicPort());
        remote.start();
        // Retry-After: 1 keeps the agent's retries a second apart (no growing backoff in the test).
        remote.stubFor(post(urlEqualTo("/api/v1/write"))
                .willReturn(aResponse().withStatus(503).withHeader("Retry-After", "1")));
        agent = new Agent(
                AgentFlags.parse(new String[] {
                            "-remoteWrite.url=http://127.0.0.1:" + remote.port() + "/api/v1/write",
                            "-remoteWrite.tmpDataPath=" + tmp.resolve("data"),
                            "-remoteWrite.flushInterval=50ms",
                            "-httpListenAddr=127.0.0.1:0"
                        })
                        .validate(),
                new ScrapeConfig(GlobalConfig.defaults(), List.of()));
        StringBuilder text = new StringBuilder();
        for (int i = 0; i < SAMPLES; i++) {
            text.append("demo_value{i=\"").append(i).append("\"} ").append(i).append('\n');
        }
        HttpResponse<String> pushed = HttpClient.newHttpClient()
                .send(
                        HttpRequest.newBuilder(URI.create(
                                        "http://127.0.0.1:" + agent.statusPort() + "/api/v1/import/prometheus"))
                                .POST(HttpRequest.BodyPublishers.ofString(text.toString(), StandardCharsets.UTF_8))
                                .build(),
                        HttpResponse.BodyHandlers.ofString());
        assertEquals(204, pushed.statusCode(), pushed.body());

        browser.get("http://127.0.0.1:" + agent.statusPort() + "/targets");
        WebDriverWait wait = new WebDriverWait(browser, Duration.ofSeconds(60), Duration.ofMillis(200));
        wait.withMessage("the page goes live").until(d -> text(d, "#live").startsWith("live"));
        wait.withMessage("the backlog and the remote unavailable")
                .until(d -> field(d, "pending").equals(Integer.toString(SAMPLES))
                        && field(d, "remote").equals("UNAVAILABLE")
                        && field(d, "lastError").contains("503"));
        ((JavascriptExecutor) browser).executeScript("window.notReloaded = true;");
        HeadlessChromium.screenshot(browser, "targets-page-backlog.png");

        remote.resetAll();
        remote.stubFor(post(urlEqualTo("/api/v1/write")).willReturn(aResponse().withStatus(204)));
        wait.withMessage("the backlog drained")
                .until(d -> field(d, "pending").equals("0")
                        && field(d, "remote").equals("OK")
                        && field(d, "sent").equals(Integer.toString(SAMPLES)));
        assertEquals("none", field(browser, "oldest"));
        assertTrue(field(browser, "lastSuccess").endsWith("s ago)"), field(browser, "lastSuccess"));
        assertEquals(
                Boolean.TRUE,
                ((JavascriptExecutor) browser).executeScript("return window.notReloaded === true;"),
                "updated in place, not reloaded");
        HeadlessChromium.screenshot(browser, "targets-page-drained.png");
        String status = HttpClient.newHttpClient()
                .send(
                        HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + agent.statusPort() + "/api/v1/status"))
                                .build(),
                        HttpResponse.BodyHandlers.ofString())
                .body();
        assertTrue(
                status.contains("\"pendingSamples\":0,\"oldestPendingAgeSeconds\":0.000,\"dropped\":{\"rejected\":0,"
                                + "\"disk_full\":0,\"corrupt\":0,\"too_large\":0},\"unreachable\":false,")
                        && status.contains("\"lastError\":\"HTTP 503\",\"samplesSent\":" + SAMPLES + "}"),
                status);
    }

    private static String text(WebDriver d, String css) {
        return d.findElement(By.cssSelector(css)).getText().strip();
    }

    private static String field(WebDriver d, String name) {
        return d.findElement(By.cssSelector("td[data-remote='0'][data-field='" + name + "']"))
                .getText()
                .strip();
    }
}
