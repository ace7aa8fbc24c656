package dev.edgepush.agent.scrape;

import static dev.edgepush.agent.scrape.RawHttpTarget.Action.ANSWER;
import static dev.edgepush.agent.scrape.RawHttpTarget.Action.ANSWER_CONNECTION_CLOSE;
import static dev.edgepush.agent.scrape.RawHttpTarget.Action.ANSWER_HTTP10;
import static dev.edgepush.agent.scrape.RawHttpTarget.Action.ANSWER_LATE;
import static dev.edgepush.agent.scrape.RawHttpTarget.Action.ANSWER_THEN_CLOSE;
import static dev.edgepush.agent.scrape.RawHttpTarget.Action.ANSWER_UNTIL_CLOSE;
import static dev.edgepush.agent.scrape.RawHttpTarget.Action.CLOSE;
import static dev.edgepush.agent.scrape.RawHttpTarget.Action.HANG;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.edgepush.agent.AgentMetrics;
import io.netty.channel.EventLoop;
import io.netty.channel.EventLoopGroup;
import io.netty.channel.MultiThreadIoEventLoopGroup;
import io.netty.channel.nio.NioIoHandler;
import java.net.URI;
import java.time.Duration;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * Keep-alive scrape connections through the real ScrapeLoop and Netty client, against a target
 * on a plain ServerSocket that counts the TCP connections it accepts and misbehaves on cue.
 */
@Timeout(value = 300, unit = TimeUnit.SECONDS) // a guard against a hang, generous for a loaded machine
class HttpScraperKeepAliveTest {
    EventLoopGroup group;
    EventLoop el;
    AgentMetrics metrics;
    RawHttpTarget target;

    @BeforeEach
    void setUp() {
        group = new MultiThreadIoEventLoopGroup(1, NioIoHandler.newFactory());
        el = group.next();
        metrics = new AgentMetrics(System::currentTimeMillis);
    }

    @AfterEach
    void tearDown() throws Exception {
        group.shutdownGracefully(0, 1, TimeUnit.SECONDS).syncUninterruptibly();
        if (target != null) {
            target.close();
        }
    }

    private ScrapeLoop loop(RawHttpTarget.Script script, boolean keepAlive, Duration timeout) throws Exception {
        if (target == null) {
            target = new RawHttpTarget(script);
        }
        String hostPort = "127.0.0.1:" + target.port();
        ScrapeTarget t = new ScrapeTarget(
                "j",
                hostPort,
                URI.create("http://" + hostPort + "/metrics"),
                Duration.ofHours(1),
                timeout,
                false,
                true,
                new TreeMap<>(Map.of("job", "j", "instance", hostPort)));
        HttpScraper scraper = new HttpScraper(group, 1 << 20, "test", keepAlive, metrics.scrapeConnectionsOpened);
        return new ScrapeLoop(
                t,
                scraper,
                (request, length, samples, ts) -> 0,
                metrics,
                System::currentTimeMillis,
                el,
                new TreeMap<>(),
                Map.of());
    }

    private ScrapeLoop loop(RawHttpTarget.Script script) throws Exception {
        return loop(script, true, Duration.ofSeconds(5));
    }

    /** Runs one scrape on the loop's event loop and waits until it is written; true if up. */
    private boolean scrape(ScrapeLoop loop) throws Exception {
        el.submit(loop::scrapeOnce).sync();
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(120);
        while (loop.scrapeInFlight() && System.nanoTime() < deadline) {
            Thread.sleep(2);
        }
        assertFalse(loop.scrapeInFlight(), "the scrape finished");
        return loop.status().up();
    }

    private void assertConnections(int n) {
        assertEquals(n, target.accepted.get(), "connections the target accepted");
        assertEquals(n, metrics.scrapeConnectionsOpened.sum(), "edge_agent_scrape_connections_opened_total");
    }

    @Test
    void consecutiveScrapesOfATargetUseOneConnection() throws Exception {
        ScrapeLoop loop = loop((c, r) -> ANSWER);
        for (int i = 0; i < 5; i++) {
            assertTrue(scrape(loop), loop.status().lastError());
        }
        assertConnections(1);
        assertEquals(5, target.requests.size());
        for (Map<String, String> request : target.requests) {
            assertNull(request.get("connection"), "HTTP/1.1 keeps the connection without saying so");
            assertEquals("GET /metrics HTTP/1.1", request.get(":request"));
        }
        assertFalse(target.clientClosed(1).isDone(), "the connection stays open between scrapes");
    }

    @Test
    void withDisableKeepAliveEveryScrapeHasItsOwnConnectionAndSaysClose() throws Exception {
        ScrapeLoop loop = loop((c, r) -> ANSWER, false, Duration.ofSeconds(5));
        for (int i = 0; i < 3; i++) {
            assertTrue(scrape(loop), loop.status().lastError());
        }
        assertConnections(3);
        for (Map<String, String> request : target.requests) {
            assertEquals("close", request.get("connection"));
        }
        for (int n = 1; n <= 3; n++) {
            target.clientClosed(n).get(60, TimeUnit.SECONDS); // the agent closed each one (the target did not)
        }
    }

    @Test
    void aConnectionTheTargetClosedWhileIdleIsReplacedWithoutAFailedScrape() throws Exception {
        ScrapeLoop loop = loop((c, r) -> ANSWER_THEN_CLOSE);
        assertTrue(scrape(loop), loop.status().lastError());
        target.targetClosed(1).get(60, TimeUnit.SECONDS);
        assertTrue(scrape(loop), loop.status().lastError());
        assertConnections(2);
    }

    @Test
    void aRequestOnAReusedConnectionClosedUnansweredIsRetriedOnceOnANewConnection() throws Exception {
        // The idle-close race: the target closes its idle connection just as the next request arrives.
        ScrapeLoop loop = loop((c, r) -> c == 1 && r == 2 ? CLOSE : ANSWER);
        assertTrue(scrape(loop), loop.status().lastError());
        assertTrue(scrape(loop), loop.status().lastError());
        assertEquals("", loop.status().lastError());
        assertConnections(2);
        assertEquals(3, target.requests.size(), "the second scrape's request went out twice");
        assertTrue(scrape(loop), loop.status().lastError());
        assertConnections(2); // the retry's connection is kept
    }

    @Test
    void theRetryIsOnlyOnceAndAFreshConnectionClosedUnansweredFailsTheScrape() throws Exception {
        ScrapeLoop loop = loop((c, r) -> c == 1 && r == 1 ? ANSWER : CLOSE);
        assertTrue(scrape(loop), loop.status().lastError());
        assertFalse(scrape(loop), "reused, closed; retried fresh, closed: down");
        assertTrue(
                loop.status().lastError().contains("connection closed before a full response"),
                loop.status().lastError());
        assertConnections(2);
        assertFalse(scrape(loop), "a fresh connection closed unanswered is not retried");
        assertConnections(3);
    }

    @Test
    void aTargetAnsweringConnectionCloseGetsANewConnectionEachScrape() throws Exception {
        ScrapeLoop loop = loop((c, r) -> ANSWER_CONNECTION_CLOSE);
        for (int i = 0; i < 3; i++) {
            assertTrue(scrape(loop), loop.status().lastError());
        }
        assertConnections(3);
        for (int n = 1; n <= 3; n++) {
            target.clientClosed(n).get(60, TimeUnit.SECONDS); // closed by the agent: the target left it open
        }
    }

    @Test
    void anHttp10AnswerWithoutKeepAliveGetsANewConnectionEachScrape() throws Exception {
        ScrapeLoop loop = loop((c, r) -> ANSWER_HTTP10);
        for (int i = 0; i < 3; i++) {
            assertTrue(scrape(loop), loop.status().lastError());
        }
        assertConnections(3);
        target.clientClosed(1).get(60, TimeUnit.SECONDS);
    }

    @Test
    void aBodyEndedByTheCloseIsAFullResponse() throws Exception {
        ScrapeLoop loop = loop((c, r) -> ANSWER_UNTIL_CLOSE);
        assertTrue(scrape(loop), loop.status().lastError());
        assertTrue(scrape(loop), loop.status().lastError());
        assertConnections(2);
    }

    @Test
    void aTimedOutScrapeClosesItsConnectionAndIsNotRetriedAndTheNextUsesANewOne() throws Exception {
        ScrapeLoop loop = loop((c, r) -> c == 1 && r == 2 ? HANG : ANSWER, true, Duration.ofMillis(300));
        assertTrue(scrape(loop), loop.status().lastError());
        assertFalse(scrape(loop));
        assertTrue(
                loop.status().lastError().contains("timed out after 300 ms"),
                loop.status().lastError());
        target.clientClosed(1).get(60, TimeUnit.SECONDS);
        assertConnections(1); // a timeout is not retried
        assertTrue(scrape(loop), loop.status().lastError());
        assertConnections(2);
    }

    @Test
    void stoppingTheLoopClosesItsIdleConnection() throws Exception {
        ScrapeLoop reloaded = loop((c, r) -> ANSWER);
        ScrapeLoop shutDown = loop((c, r) -> ANSWER);
        assertTrue(scrape(reloaded), reloaded.status().lastError());
        assertTrue(scrape(shutDown), shutDown.status().lastError());
        assertConnections(2);
        el.submit(reloaded::stop).sync(); // a file_sd reload stops the loop on the event loop
        target.clientClosed(1).get(60, TimeUnit.SECONDS);
        assertFalse(target.clientClosed(2).isDone());
        shutDown.stop(); // the agent's stop, from another thread
        target.clientClosed(2).get(60, TimeUnit.SECONDS);
    }

    @Test
    void aScrapeInFlightWhenTheLoopStopsFinishesThenItsConnectionCloses() throws Exception {
        ScrapeLoop loop = loop((c, r) -> ANSWER_LATE);
        el.submit(loop::scrapeOnce).sync();
        loop.stop();
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(120);
        while (loop.scrapeInFlight() && System.nanoTime() < deadline) {
            Thread.sleep(2);
        }
        assertTrue(loop.status().up(), loop.status().lastError());
        target.clientClosed(1).get(60, TimeUnit.SECONDS);
    }
}
