package dev.edgepush.agent.host;

import java.nio.charset.StandardCharsets;
import java.util.Arrays;

/**
 * The Prometheus text exposition one host collection produces, written straight into a growable
 * byte array (no per-sample objects): {@code name{l="v",...} value}. The agent's scrape pipeline
 * parses it as it would a node_exporter scrape. Not thread-safe; reused between collections.
 */
public final class TextOut {
    private byte[] buf = new byte[16 * 1024];
    private int size;
    private final StringBuilder sb = new StringBuilder(256);

    /** Writes one sample; {@code labels} are name, value pairs (an empty value is left out, as Prometheus does). */
    public void sample(String name, double value, String... labels) {
        sb.setLength(0);
        sb.append(name);
        boolean open = false;
        for (int i = 0; i + 1 < labels.length; i += 2) {
            String v = labels[i + 1];
            if (v == null || v.isEmpty()) {
                continue;
            }
            sb.append(open ? ',' : '{');
            open = true;
            sb.append(labels[i]).append("=\"");
            escape(v);
            sb.append('"');
        }
        if (open) {
            sb.append('}');
        }
        sb.append(' ');
        formatValue(sb, value);
        sb.append('\n');
        write(sb);
    }

    private void escape(String v) {
        for (int i = 0; i < v.length(); i++) {
            char c = v.charAt(i);
            if (c == '\\') {
                sb.append("\\\\");
            } else if (c == '"') {
                sb.append("\\\"");
            } else if (c == '\n') {
                sb.append("\\n");
            } else {
                sb.append(c);
            }
        }
    }

    static void formatValue(StringBuilder sb, double v) {
        if (Double.isNaN(v)) {
            sb.append("NaN");
        } else if (Double.isInfinite(v)) {
            sb.append(v > 0 ? "+Inf" : "-Inf");
        } else if (v == Math.rint(v) && Math.abs(v) < 9.007199254740992E15) {
            sb.append((long) v);
        } else {
            sb.append(v);
        }
    }

    private void write(CharSequence cs) {
        byte[] b = cs.toString().getBytes(StandardCharsets.UTF_8);
        if (size + b.length > buf.length) {
            buf = Arrays.copyOf(buf, Math.max(buf.length * 2, size + b.length));
        }
        System.arraycopy(b, 0, buf, size, b.length);
        size += b.length;
    }

    public byte[] array() {
        return buf;
    }

    public int size() {
        return size;
    }

    public void reset() {
        size = 0;
    }

    @Override
    public String toString() {
        return new String(buf, 0, size, StandardCharsets.UTF_8);
    }
}
