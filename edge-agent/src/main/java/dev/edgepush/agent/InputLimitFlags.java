package dev.edgepush.agent;

import dev.edgepush.flags.FlagValues;
import java.util.List;
import java.util.Map;
import picocli.CommandLine.Option;

/**
 * Input limits and streaming, vmagent's flags: no scrape or push can exhaust the heap. A picocli
 * mixin of {@link AgentFlags}.
 */
final class InputLimitFlags {
    @Option(
            names = {"-promscrape.streamParse", "--promscrape.streamParse"},
            arity = "0..1",
            fallbackValue = "true",
            paramLabel = "BOOL",
            description = "Scrape every target in streaming mode: the body parsed and buffered in pieces as it arrives,"
                    + " no per-series cache (no staleness markers for scraped series).")
    boolean streamParse;

    @Option(
            names = {"-promscrape.minResponseSizeForStreamParse", "--promscrape.minResponseSizeForStreamParse"},
            paramLabel = "BYTES",
            description =
                    "A scrape whose body passes this size switches to streaming mode (default: ${DEFAULT-VALUE}).")
    String minResponseSizeForStreamParse = "1MB";

    @Option(
            names = {"-maxLabelsPerTimeseries", "--maxLabelsPerTimeseries"},
            paramLabel = "N",
            description =
                    "Most labels (the metric name included) of a scraped or pushed series; a series with more fails"
                            + " its scrape or gets its push a 400; 0 = no limit (default: ${DEFAULT-VALUE}).")
    int maxLabelsPerTimeseries = 40;

    @Option(
            names = {"-maxLabelNameLen", "--maxLabelNameLen"},
            paramLabel = "N",
            description = "Longest label name of a scraped or pushed series; 0 = no limit (default: ${DEFAULT-VALUE}).")
    int maxLabelNameLen = 256;

    @Option(
            names = {"-maxLabelValueLen", "--maxLabelValueLen"},
            paramLabel = "N",
            description = "Longest label value (characters) of a scraped or pushed series; 0 = no limit"
                    + " (default: ${DEFAULT-VALUE}).")
    int maxLabelValueLen = 4096;

    /** The checked limits; a bad value adds its line to {@code problems} (the limits are then unused). */
    InputLimits limits(List<String> problems) {
        long minStream = FlagValues.recorded(
                problems,
                () -> FlagValues.bytes("-promscrape.minResponseSizeForStreamParse", minResponseSizeForStreamParse),
                0L);
        for (var e : Map.of(
                        "-maxLabelsPerTimeseries",
                        maxLabelsPerTimeseries,
                        "-maxLabelNameLen",
                        maxLabelNameLen,
                        "-maxLabelValueLen",
                        maxLabelValueLen)
                .entrySet()) {
            if (e.getValue() < 0) {
                problems.add(e.getKey() + "=" + e.getValue() + ": must be 0 (no limit) or more");
            }
        }
        return new InputLimits(streamParse, minStream, maxLabelsPerTimeseries, maxLabelNameLen, maxLabelValueLen);
    }
}
