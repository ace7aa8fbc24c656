package dev.edgepush.agent.host;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.edgepush.agent.AgentMetrics;
import dev.edgepush.agent.scrape.ScrapeLoop;
import dev.edgepush.compat.Relabeler;
import dev.edgepush.forward.buffer.SampleAppender;
import dev.edgepush.proto.rw1.RemoteWrite;
import io.netty.channel.DefaultEventLoop;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.CopyOnWriteArrayList;
import org.junit.jupiter.api.Test;

/**
 * Host metrics through the real scrape pipeline (HostSource -> ScrapeLoop -> appender): the
 * target's job and instance labels are added, and a series that leaves (a process group that
 * dropped out of the top N, a removed disk) gets a staleness marker in the next collection.
 */
class HostStalenessTest {
    static final long STALE_NAN = 0x7ff0000000000002L;

    static final class Captured implements SampleAppender {
        final List<byte[]> requests = new CopyOnWriteArrayList<>();

        @Override
        public long append(byte[] writeRequest, int length, int sampleCount, long timestampMs) {
            requests.add(java.util.Arrays.copyOf(writeRequest, length));
            return 0;
        }
    }

    @Test
    void aGroupThatLeavesTheTopNGetsAStalenessMarker() throws Exception {
        List<String> groups = new CopyOnWriteArrayList<>(List.of("robotd", "camera"));
        HostCollector fake = new HostCollector() {
            @Override
            public String name() {
                return "processes";
            }

            @Override
            public void collect(TextOut out) {
                groups.forEach(g -> out.sample("namedprocess_namegroup_num_procs", 1, "groupname", g));
            }
        };
        DefaultEventLoop ev = new DefaultEventLoop();
        Captured captured = new Captured();
        HostSettings s = HostVsNodeExporterIT.settings();
        HostSource source = new HostSource(
                List.of(fake), ev, 60_000); // not about timeouts: a busy machine must not fail a collection
        ScrapeLoop loop = new ScrapeLoop(
                s.target(Relabeler.EMPTY),
                source,
                captured,
                new AgentMetrics(() -> 0L),
                System::currentTimeMillis,
                ev,
                new TreeMap<>(),
                Map.of());
        try {
            scrape(loop, captured, 1);
            groups.remove("camera");
            scrape(loop, captured, 2);
            Map<String, List<Double>> first = decode(captured.requests.get(0));
            Map<String, List<Double>> second = decode(captured.requests.get(1));
            String camera = "namedprocess_namegroup_num_procs{groupname=camera,instance=test,job=node}";
            String robotd = "namedprocess_namegroup_num_procs{groupname=robotd,instance=test,job=node}";
            assertEquals(List.of(1.0), first.get(camera), first.toString());
            assertEquals(1, second.get(camera).size(), second.toString());
            assertEquals(
                    STALE_NAN, Double.doubleToRawLongBits(second.get(camera).get(0)), "staleness marker");
            assertEquals(List.of(1.0), second.get(robotd), second.toString());
            assertEquals(List.of(1.0), second.get("up{instance=test,job=node}"));
            assertEquals(
                    List.of(1.0),
                    second.get("node_scrape_collector_success{collector=processes,instance=test,job=node}"));
        } finally {
            loop.stop();
            ev.shutdownGracefully(0, 1, java.util.concurrent.TimeUnit.SECONDS).sync();
        }
    }

    private static void scrape(ScrapeLoop loop, Captured captured, int want) throws Exception {
        java.lang.reflect.Method once = ScrapeLoop.class.getDeclaredMethod("scrapeOnce");
        once.setAccessible(true);
        long deadline = System.nanoTime() + Duration.ofSeconds(120).toNanos();
        while (loop.scrapeInFlight() && System.nanoTime() < deadline) {
            Thread.sleep(5);
        }
        once.invoke(loop);
        while (captured.requests.size() < want && System.nanoTime() < deadline) {
            Thread.sleep(5);
        }
        assertTrue(captured.requests.size() >= want, "collection " + want + " appended within 120 s");
    }

    private static Map<String, List<Double>> decode(byte[] request) throws Exception {
        Map<String, List<Double>> out = new TreeMap<>();
        for (RemoteWrite.TimeSeries ts :
                RemoteWrite.WriteRequest.parseFrom(request).getTimeseriesList()) {
            String name = "";
            List<String> labels = new ArrayList<>();
            for (RemoteWrite.Label l : ts.getLabelsList()) {
                if (l.getName().equals("__name__")) {
                    name = l.getValue();
                } else {
                    labels.add(l.getName() + "=" + l.getValue());
                }
            }
            labels.sort(null);
            List<Double> values =
                    out.computeIfAbsent(name + "{" + String.join(",", labels) + "}", k -> new ArrayList<>());
            ts.getSamplesList().forEach(x -> values.add(x.getValue()));
        }
        return out;
    }
}
