package dev.edgepush.ingest.http;

import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.util.Locale;
import java.util.Map;
import java.util.zip.CRC32;

/**
 * The fleet page's static files, served under {@code /fleet/assets/<name>}: its own script and
 * style sheet, and uPlot (the charts; from the {@code org.webjars.npm:uplot} WebJar on the
 * classpath). Read once from the classpath; each has an ETag (a CRC-32 of its bytes) that the
 * page also puts in its links ({@code ?v=}), so a browser caches a file for an hour, asks again
 * with {@code If-None-Match} after that, and an upgrade's new file is fetched at once.
 */
public final class FleetAssets {
    /** The WebJar's version, as in the pom (the path inside the jar names it). */
    static final String UPLOT_VERSION = "1.6.30";

    private static final String UPLOT_DIR = "/META-INF/resources/webjars/uplot/" + UPLOT_VERSION + "/dist/";
    private static final String OWN_DIR = "/dev/edgepush/ingest/fleet/assets/";

    /** One file: its bytes, type and ETag. */
    public record Asset(String name, byte[] bytes, String contentType, String etag) {}

    private static final Map<String, Asset> ASSETS = Map.of(
            "fleet.js", load("fleet.js", OWN_DIR + "fleet.js"),
            "fleet.css", load("fleet.css", OWN_DIR + "fleet.css"),
            "uPlot.iife.min.js", load("uPlot.iife.min.js", UPLOT_DIR + "uPlot.iife.min.js"),
            "uPlot.min.css", load("uPlot.min.css", UPLOT_DIR + "uPlot.min.css"));

    private FleetAssets() {}

    /** The asset called {@code name}, or null when there is none. */
    public static Asset get(String name) {
        return ASSETS.get(name);
    }

    /** The URL the page links {@code name} with (its ETag as a cache buster). */
    public static String url(String name) {
        return "/fleet/assets/" + name + "?v=" + ASSETS.get(name).etag().replace("\"", "");
    }

    private static Asset load(String name, String resource) {
        try (InputStream in = FleetAssets.class.getResourceAsStream(resource)) {
            if (in == null) {
                throw new IllegalStateException(
                        "the fleet page's " + name + " is missing from the classpath (" + resource + ")");
            }
            byte[] bytes = in.readAllBytes();
            CRC32 crc = new CRC32();
            crc.update(bytes);
            String type = name.endsWith(".js") ? "text/javascript; charset=utf-8" : "text/css; charset=utf-8";
            return new Asset(
                    name, bytes, type, "\"" + Long.toHexString(crc.getValue()).toLowerCase(Locale.ROOT) + "\"");
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }
}
