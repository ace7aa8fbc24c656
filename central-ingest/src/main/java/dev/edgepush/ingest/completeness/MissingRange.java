package dev.edgepush.ingest.completeness;

/**
 * A run of missing excerpts, {@code first} to {@code last} inclusive, and why: {@code dropped}
 * (at the robot: its disk cap or damage), {@code refused} (by central-ingest, never retried),
 * {@code pending} (still on the robot or in flight) or {@code lost} (unsent when the robot's
 * buffer started a new epoch).
 */
public record MissingRange(long first, long last, String reason) {
    public long count() {
        return last - first + 1;
    }
}
