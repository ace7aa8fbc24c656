package dev.edgepush.ingest;

import dev.edgepush.flags.FlagValues;
import dev.edgepush.ingest.decode.SampleClock;
import java.time.Duration;
import picocli.CommandLine.Option;

/**
 * {@code -fleet.correctClockSkewAbove} and {@code -retentionPeriod}: the {@link SampleClock} of
 * the pushes; a picocli mixin of {@link IngestFlags}.
 */
final class SampleClockFlags {
    @Option(
            names = {"-fleet.correctClockSkewAbove", "--fleet.correctClockSkewAbove"},
            paramLabel = "DURATION",
            description =
                    "Shift the timestamps of a robot's remote-write push back by its clock offset when that is larger"
                            + " than this, either way (measured per push from edge-agent's X-Edgepush-Agent-Time-Ms header; e.g. 2m);"
                            + " 0 = never (default: ${DEFAULT-VALUE}). The offset is in central_ingest_robot_clock_skew_seconds either way.")
    String fleetCorrectClockSkewAbove = "0";

    @Option(
            names = {"-retentionPeriod", "--retentionPeriod"},
            paramLabel = "PERIOD",
            description =
                    "The retention of the VictoriaMetrics behind it, as its flag of that name: months, or a number"
                            + " with h, d, w or y (0 = no check). Older samples are counted in"
                            + " central_ingest_samples_out_of_range_total{reason=\"too_old\"} (it drops them; they are forwarded all"
                            + " the same) (default: ${DEFAULT-VALUE}).")
    String retentionPeriod = "1";

    /** The checked values. */
    SampleClock sampleClock() throws IngestFlags.FlagException {
        Duration correctAbove = IngestFlags.checked(
                () -> FlagValues.duration("-fleet.correctClockSkewAbove", fleetCorrectClockSkewAbove));
        if (correctAbove.isNegative()) {
            throw new IngestFlags.FlagException(
                    "-fleet.correctClockSkewAbove=" + fleetCorrectClockSkewAbove + ": must be 0 (never) or more");
        }
        return new SampleClock(retentionMs(retentionPeriod), correctAbove.toMillis());
    }

    /** VictoriaMetrics' -retentionPeriod: a number of months (31 days each), or a number with h, d, w or y. */
    static long retentionMs(String v) throws IngestFlags.FlagException {
        java.util.regex.Matcher m =
                java.util.regex.Pattern.compile("(\\d+(?:\\.\\d+)?)([hdwy]?)").matcher(v.trim());
        if (!m.matches()) {
            throw new IngestFlags.FlagException(
                    "-retentionPeriod=" + v + ": expected months (e.g. 1, as VictoriaMetrics' default)"
                            + " or a number with h, d, w or y (e.g. 90d)");
        }
        double n = Double.parseDouble(m.group(1));
        double day = 86_400_000.0;
        double unit =
                switch (m.group(2)) {
                    case "h" -> day / 24;
                    case "d" -> day;
                    case "w" -> 7 * day;
                    case "y" -> 365 * day;
                    default -> 31 * day;
                };
        return (long) (n * unit);
    }
}
