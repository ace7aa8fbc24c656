package dev.edgepush.agent.host;

import java.io.IOException;

/**
 * One node_exporter collector re-done in Java: reads /proc and /sys through {@link HostPaths}
 * and writes node_exporter's metric names, labels and units to a {@link TextOut}. A collector that
 * throws is reported as {@code node_scrape_collector_success{collector="<name>"} 0}, as in
 * node_exporter (which also reports 0 when a collector has no data, {@link NoDataException}).
 */
public interface HostCollector {
    /** node_exporter's collector name: cpu, meminfo, ... */
    String name();

    void collect(TextOut out) throws IOException;

    /** node_exporter's ErrNoData: the source does not exist on this machine (success 0, logged at debug only). */
    final class NoDataException extends IOException {
        public NoDataException(String message) {
            super(message);
        }
    }
}
