package dev.edgepush.agent.host;

import dev.edgepush.agent.scrape.HttpScraper;
import dev.edgepush.agent.scrape.ScrapeSource;
import io.netty.channel.EventLoop;
import io.netty.util.concurrent.ScheduledFuture;
import java.io.IOException;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.TimeUnit;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The host collectors as a {@link ScrapeSource}: each fetch runs every collector on one thread of
 * its own (reading /proc and /sys, and statvfs on each mount, which can hang on a dead network
 * mount, never on the event loop), adds node_exporter's {@code node_scrape_collector_success} and
 * {@code node_scrape_collector_duration_seconds{collector}}, and hands the text to the scrape loop
 * on its event loop, where it is parsed, relabeled and buffered as any scrape. A collection not
 * finished within the timeout fails that scrape ({@code up 0}); while it still hangs, later
 * scrapes fail at once instead of piling up threads.
 */
public final class HostSource implements ScrapeSource {
    private static final Logger log = LoggerFactory.getLogger(HostSource.class);
    private static final String CONTENT_TYPE = "text/plain; version=0.0.4";
    private final List<HostCollector> collectors;
    private final EventLoop loop;
    private final long timeoutMs;
    private final ExecutorService worker;
    private final TextOut out = new TextOut();
    /** Per collector: the last failure logged, so a failing collector is logged once, not every interval. */
    private final Map<String, String> lastFailure = new HashMap<>();

    private volatile boolean busy;
    private volatile boolean closed;

    public HostSource(List<HostCollector> collectors, EventLoop loop, long timeoutMs) {
        this.collectors = List.copyOf(collectors);
        this.loop = loop;
        this.timeoutMs = timeoutMs;
        this.worker = Executors.newSingleThreadExecutor(r -> {
            Thread t = new Thread(r, "host-collector");
            t.setDaemon(true);
            return t;
        });
    }

    /** One collection into {@code out}: every collector, then node_exporter's per-collector success and duration. */
    static void collectAll(List<HostCollector> collectors, TextOut out, Map<String, String> lastFailure) {
        out.reset();
        double[] seconds = new double[collectors.size()];
        boolean[] ok = new boolean[collectors.size()];
        for (int i = 0; i < collectors.size(); i++) {
            HostCollector c = collectors.get(i);
            long start = System.nanoTime();
            try {
                c.collect(out);
                ok[i] = true;
                if (lastFailure.remove(c.name()) != null) {
                    log.info("host collector {} works again", c.name());
                }
            } catch (IOException | RuntimeException e) {
                String why = e.toString();
                if (!why.equals(lastFailure.put(c.name(), why))) {
                    if (e instanceof HostCollector.NoDataException) {
                        log.debug("host collector {}: no data: {}", c.name(), e.getMessage());
                    } else {
                        log.warn("host collector {} failed: {}", c.name(), why);
                    }
                }
            }
            seconds[i] = (System.nanoTime() - start) / 1e9;
        }
        for (int i = 0; i < collectors.size(); i++) {
            out.sample(
                    "node_scrape_collector_duration_seconds",
                    seconds[i],
                    "collector",
                    collectors.get(i).name());
            out.sample(
                    "node_scrape_collector_success",
                    ok[i] ? 1 : 0,
                    "collector",
                    collectors.get(i).name());
        }
    }

    @Override
    public void fetch(HttpScraper.BodyConsumer consumer) {
        if (closed) {
            loop.execute(() -> consumer.done("the host collector is stopped"));
            return;
        }
        if (busy) {
            loop.execute(() -> consumer.done("the previous host collection has not finished (a hung mount?)"));
            return;
        }
        busy = true;
        Fetch f = new Fetch(consumer);
        f.timeout = loop.schedule(
                () -> f.finish("host collection timed out after " + timeoutMs + " ms"),
                timeoutMs,
                TimeUnit.MILLISECONDS);
        try {
            worker.execute(() -> {
                try {
                    collectAll(collectors, out, lastFailure);
                } finally {
                    // before finish: the scrape loop may fetch again as soon as done() has run
                    busy = false;
                }
                loop.execute(() -> f.finish(null));
            });
        } catch (RejectedExecutionException e) {
            busy = false;
            loop.execute(() -> f.finish("the host collector is stopped"));
        }
    }

    /** One fetch; {@link #finish} runs on the event loop, first call wins (the collection or its timeout). */
    private final class Fetch {
        final HttpScraper.BodyConsumer consumer;
        ScheduledFuture<?> timeout;
        boolean done;

        Fetch(HttpScraper.BodyConsumer consumer) {
            this.consumer = consumer;
        }

        void finish(String error) {
            if (done) {
                return;
            }
            done = true;
            timeout.cancel(false);
            if (error == null) {
                // The worker is idle until the next fetch, which the scrape loop only makes after done().
                consumer.head(200, CONTENT_TYPE);
                consumer.content(out.array(), 0, out.size());
            }
            consumer.done(error);
        }
    }

    @Override
    public void close() {
        closed = true;
        worker.shutdown();
    }
}
