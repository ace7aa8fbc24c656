package dev.edgepush.agent.scrape;

import dev.edgepush.compat.LabelSet;
import dev.edgepush.proto.WriteRequestEncoder;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.SortedMap;

/**
 * The final labels of one target's series, encoded for remote write: a scraped series gets the
 * target's labels (with {@code honor_labels} off a clashing scraped label is kept as {@code
 * exported_<name>}), the job's {@code metric_relabel_configs}, then the extra labels of {@code
 * -remoteWrite.label} (which override), sorted by name. A synthetic series ({@code up} and
 * friends) gets the target's and the extra labels only. Not thread-safe; one per target.
 */
final class SeriesLabels {
    private final ScrapeTarget target;
    private final String[][] targetPairs;
    private final String[][] extraPairs;
    /** Names of global external labels that no target label overrides: label_limit does not count them. */
    private final java.util.Set<String> externalOnly = new java.util.HashSet<>();

    private final List<String[]> scratch = new ArrayList<>();
    private final LabelSet relabelScratch = new LabelSet();
    private int lastLabelCount;

    SeriesLabels(ScrapeTarget target, SortedMap<String, String> externalLabels, Map<String, String> extraLabels) {
        this.target = target;
        SortedMap<String, String> t = new java.util.TreeMap<>(externalLabels);
        t.putAll(target.targetLabels());
        this.targetPairs = pairs(t);
        externalOnly.addAll(externalLabels.keySet());
        externalOnly.removeAll(target.targetLabels().keySet());
        this.extraPairs = pairs(extraLabels);
    }

    private static String[][] pairs(Map<String, String> m) {
        String[][] out = new String[m.size()][];
        int i = 0;
        for (Map.Entry<String, String> e : m.entrySet()) {
            out[i++] = new String[] {e.getKey(), e.getValue()};
        }
        return out;
    }

    /**
     * The slow path, once per series: the final labels of a scraped series, encoded; null if
     * relabelling drops it. {@link #lastLabelCount} tells how many labels it has.
     */
    byte[] scraped(String metricName, String[] labels, int labelPairs) {
        scratch.clear();
        scratch.add(new String[] {"__name__", metricName});
        for (int i = 0; i < labelPairs; i++) {
            String name = labels[2 * i];
            String v = labels[2 * i + 1];
            if (!v.isEmpty()) {
                scratch.add(new String[] {name, v});
            }
        }
        for (String[] tl : targetPairs) {
            int at = indexOf(tl[0]);
            if (at < 0) {
                scratch.add(tl);
            } else if (!target.honorLabels()) {
                String[] clash = scratch.get(at);
                String exported = "exported_" + clash[0];
                while (indexOf(exported) >= 0) {
                    exported = "exported_" + exported;
                }
                scratch.set(at, new String[] {exported, clash[1]});
                scratch.add(tl);
            }
            // honor_labels: the scraped value wins
        }
        if (!target.metricRelabeler().isEmpty() && !relabel()) {
            return null;
        }
        int count = 0;
        for (String[] l : scratch) {
            if (!externalOnly.contains(l[0])) {
                count++;
            }
        }
        lastLabelCount = count;
        return sortedAndEncoded();
    }

    /**
     * Applies metric_relabel_configs to {@code scratch}; false if the series is dropped (also when
     * relabeling removed {@code __name__}, which remote write requires).
     */
    private boolean relabel() {
        LabelSet ls = relabelScratch;
        ls.clear();
        for (String[] l : scratch) {
            ls.add(l[0], l[1]);
        }
        if (!target.metricRelabeler().apply(ls) || ls.get("__name__") == null) {
            return false;
        }
        scratch.clear();
        for (int i = 0; i < ls.size(); i++) {
            scratch.add(new String[] {ls.name(i), ls.value(i)});
        }
        return true;
    }

    /** The labels of the last series {@link #scraped} kept, not counting external-only labels (for label_limit). */
    int lastLabelCount() {
        return lastLabelCount;
    }

    /** The encoded labels of a synthetic series of the scrape itself ({@code up} and friends). */
    byte[] synthetic(String metricName) {
        scratch.clear();
        scratch.add(new String[] {"__name__", metricName});
        for (String[] tl : targetPairs) {
            scratch.add(tl);
        }
        return sortedAndEncoded();
    }

    /** Adds the extra labels to {@code scratch}, sorts by name and encodes. */
    private byte[] sortedAndEncoded() {
        for (String[] el : extraPairs) {
            int at = indexOf(el[0]);
            if (at < 0) {
                scratch.add(el);
            } else {
                scratch.set(at, el);
            }
        }
        scratch.sort((a, b) -> a[0].compareTo(b[0]));
        String[] flat = new String[scratch.size() * 2];
        for (int i = 0; i < scratch.size(); i++) {
            flat[2 * i] = scratch.get(i)[0];
            flat[2 * i + 1] = scratch.get(i)[1];
        }
        return WriteRequestEncoder.encodeLabels(flat, scratch.size());
    }

    private int indexOf(String name) {
        for (int i = 0; i < scratch.size(); i++) {
            if (scratch.get(i)[0].equals(name)) {
                return i;
            }
        }
        return -1;
    }
}
