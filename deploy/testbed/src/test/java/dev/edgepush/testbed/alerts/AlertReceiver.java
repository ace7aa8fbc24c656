package dev.edgepush.testbed.alerts;

import com.sun.net.httpserver.HttpServer;
import dev.edgepush.testsupport.ChildProcess;
import java.io.IOException;
import java.io.InputStream;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.function.Predicate;
import org.yaml.snakeyaml.LoaderOptions;
import org.yaml.snakeyaml.Yaml;

/**
 * Where vmalert's alerts go, as in production: a real Alertmanager (Debian's
 * prometheus-alertmanager, {@link #url} is vmalert's {@code -notifier.url}) whose one route sends
 * every group, firing and resolved, to a webhook receiver on loopback that keeps each alert it is
 * notified of, with when it came. Grouping is by alert name and the rules' own labels; the waits
 * are shortened to seconds (group_wait 1 s, group_interval 2 s) so a test sees a notification
 * within seconds of vmalert's.
 */
final class AlertReceiver implements AutoCloseable {
    /** One alert as notified. {@code endsAt} in the past (at receipt) means resolved. */
    record Received(
            Instant at, Map<String, String> labels, Map<String, String> annotations, Instant startsAt, Instant endsAt) {
        boolean resolved() {
            return endsAt != null && !endsAt.isAfter(at);
        }
    }

    private final HttpServer webhook;
    private final List<Received> alerts = new ArrayList<>();
    private ChildProcess alertmanager;
    private final int port;

    AlertReceiver(Path dir) throws IOException, InterruptedException {
        webhook = HttpServer.create(new InetSocketAddress("127.0.0.1", 0), 16);
        webhook.createContext("/webhook", ex -> {
            Instant now = Instant.now();
            try (InputStream in = ex.getRequestBody()) {
                add(now, new String(in.readAllBytes(), StandardCharsets.UTF_8));
                ex.sendResponseHeaders(200, -1);
            } catch (RuntimeException e) {
                ex.sendResponseHeaders(400, -1);
            } finally {
                ex.close();
            }
        });
        webhook.start();
        Path am = Files.createDirectories(dir.resolve("alertmanager"));
        Path config = am.resolve("alertmanager.yml");
        Files.writeString(config, """
        route:
          receiver: test
          group_by: [alertname, robot, reason, instance, certificate]
          group_wait: 1s
          group_interval: 2s
          repeat_interval: 1h
        receivers:
          - name: test
            webhook_configs:
              - url: http://127.0.0.1:%d/webhook
                send_resolved: true
        """.formatted(webhook.getAddress().getPort()));
        try (ServerSocket s = new ServerSocket(0, 1, java.net.InetAddress.getLoopbackAddress())) {
            port = s.getLocalPort();
        }
        try {
            alertmanager = ChildProcess.builder(
                            "alertmanager",
                            port,
                            List.of(
                                    Tools.require("prometheus-alertmanager", "prometheus-alertmanager"),
                                    "--config.file=" + config,
                                    "--storage.path=" + am.resolve("data"),
                                    "--web.listen-address=127.0.0.1:" + port,
                                    "--cluster.listen-address=",
                                    "--log.level=warn"))
                    .log(am.resolve("alertmanager.log"))
                    .startTimeout(Duration.ofSeconds(60))
                    .probe(() -> alertmanager.status("/-/ready") == 200)
                    .build();
            alertmanager.restart();
        } catch (IOException | RuntimeException e) {
            webhook.stop(0);
            throw e;
        }
    }

    /** Alertmanager's webhook body: {"status":..., "alerts":[{labels, annotations, startsAt, endsAt}, ...]}. */
    @SuppressWarnings("unchecked")
    private void add(Instant now, String json) {
        LoaderOptions options = new LoaderOptions();
        options.setWarnOnDuplicateKeys(false);
        Map<String, Object> body = new Yaml(options).load(json);
        synchronized (alerts) {
            for (Map<String, Object> a : (List<Map<String, Object>>) body.get("alerts")) {
                alerts.add(new Received(
                        now,
                        (Map<String, String>) a.get("labels"),
                        (Map<String, String>) a.getOrDefault("annotations", Map.of()),
                        time(a.get("startsAt")),
                        time(a.get("endsAt"))));
            }
            alerts.notifyAll();
        }
    }

    private static Instant time(Object v) {
        return v == null || v.toString().startsWith("0001-") ? null : Instant.parse(v.toString());
    }

    /** Alertmanager's base URL, for vmalert's {@code -notifier.url}. */
    String url() {
        return "http://127.0.0.1:" + port;
    }

    List<Received> all() {
        synchronized (alerts) {
            return List.copyOf(alerts);
        }
    }

    /** The first alert received after {@code since} matching {@code p}, waiting at most {@code timeoutMs}; null if none. */
    Received await(Instant since, Predicate<Received> p, long timeoutMs) throws InterruptedException {
        long deadline = System.currentTimeMillis() + timeoutMs;
        synchronized (alerts) {
            while (true) {
                for (Received r : alerts) {
                    if (!r.at().isBefore(since) && p.test(r)) {
                        return r;
                    }
                }
                long left = deadline - System.currentTimeMillis();
                if (left <= 0) {
                    return null;
                }
                alerts.wait(left);
            }
        }
    }

    @Override
    public void close() {
        if (alertmanager != null) {
            alertmanager.close();
        }
        webhook.stop(0);
    }
}
