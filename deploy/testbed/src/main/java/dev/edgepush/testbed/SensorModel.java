package dev.edgepush.testbed;

import java.util.Arrays;
import java.util.Random;

/**
 * The simulated state of a robot's sensor service and its rendering as Prometheus text format
 * 0.0.4.
 *
 * <p>The model advances one tick per scrape (see {@link #tick()}), driven only by its seeded
 * {@link Random}, so a given seed yields the same sequence of samples whatever the scrape timing
 * (only {@code sensor_uptime_seconds} depends on the wall clock). Gauges wander plausibly:
 * temperatures do a bounded random walk in 20..85 °C, the battery drains slowly and recharges when
 * low, counters and histogram counts only increase, and histogram buckets are cumulative with
 * {@code +Inf} equal to {@code _count}.
 *
 * <p>Not thread-safe: each simulator instance calls it from its single HTTP worker thread.
 */
final class SensorModel {
    /** Value reported by {@code sensor_build_info{version=...}}. */
    static final String VERSION = "1.4.2-sim";

    private static final String[] MOTORS = {"motor_left", "motor_right"};
    private static final double TEMP_MIN = 20.0;
    private static final double TEMP_MAX = 85.0;

    private final Random random;
    private final long startedAtMs;
    private final double[] motorTemp = {38.0, 41.0};
    private double batteryTemp = 29.0;
    private double humidity = 0.45;
    private double charge = 0.9;
    private boolean charging;
    private double voltage;
    private long queueDepth = 3;
    private long ok;
    private long err500;
    private long err503;
    private final Histogram requestDuration = new Histogram(0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10);
    private final Histogram cpuSpike = new Histogram(0.01, 0.05, 0.1, 0.25, 0.5, 1, 2, 5, 10, 30);
    private final double[] synthetic;

    /**
     * Creates a model.
     *
     * @param seed seed of the random source that drives every value
     * @param series number of extra {@code sensor_synthetic_value} gauges (0 or more)
     * @param startedAtMs wall-clock start, for {@code sensor_uptime_seconds}
     */
    SensorModel(long seed, int series, long startedAtMs) {
        if (series < 0) {
            throw new IllegalArgumentException("series must be >= 0: " + series);
        }
        this.random = new Random(seed);
        this.startedAtMs = startedAtMs;
        this.synthetic = new double[series];
        for (int i = 0; i < series; i++) {
            synthetic[i] = round(random.nextDouble() * 100.0, 3);
        }
        this.voltage = voltageFor(charge);
    }

    /** Number of {@code sensor_synthetic_value} series. */
    int syntheticSeries() {
        return synthetic.length;
    }

    /** Advances the simulation by one step (one scrape interval). */
    void tick() {
        int requests = 15 + random.nextInt(40);
        for (int i = 0; i < requests; i++) {
            observeRequest();
        }
        double load = requests / 55.0;
        for (int m = 0; m < motorTemp.length; m++) {
            double target = 35.0 + 30.0 * load;
            motorTemp[m] = walk(motorTemp[m], target, 0.05, 0.6, TEMP_MIN, TEMP_MAX);
        }
        batteryTemp = walk(batteryTemp, charging ? 38.0 : 30.0, 0.05, 0.2, TEMP_MIN, TEMP_MAX);
        humidity = walk(humidity, 0.45, 0.02, 0.01, 0.05, 0.95);

        if (charging) {
            charge += 0.004 + random.nextDouble() * 0.002;
            if (charge >= 0.98) {
                charge = Math.min(charge, 1.0);
                charging = false;
            }
        } else {
            charge -= (0.0005 + random.nextDouble() * 0.001) * (0.5 + load);
            if (charge <= 0.15) {
                charge = Math.max(charge, 0.0);
                charging = true;
            }
        }
        voltage = voltageFor(charge) + (charging ? 0.4 : 0.0) + random.nextGaussian() * 0.02;

        long delta = Math.round(random.nextGaussian() * 2.0 + (5 - queueDepth) * 0.2);
        if (random.nextDouble() < 0.02) {
            delta += 20 + random.nextInt(80); // a burst of queued work
        }
        queueDepth = Math.max(0, Math.min(1000, queueDepth + delta));

        if (random.nextDouble() < 0.15) {
            cpuSpike.observe(Math.exp(Math.log(0.4) + random.nextGaussian() * 0.8));
        }
        for (int i = 0; i < synthetic.length; i++) {
            synthetic[i] = round(synthetic[i] + random.nextGaussian() * 0.5, 3);
        }
    }

    /** Records a CPU spike of {@code seconds} (an injected one). */
    void observeCpuSpike(double seconds) {
        cpuSpike.observe(seconds);
    }

    private void observeRequest() {
        double p = random.nextDouble();
        double busy = queueDepth > 50 ? 0.03 : 0.0;
        if (p < 0.005 + busy) {
            err503++;
            requestDuration.observe(0.001 + random.nextDouble() * 0.004);
        } else if (p < 0.015 + busy) {
            err500++;
            requestDuration.observe(Math.exp(Math.log(0.2) + random.nextGaussian()));
        } else {
            ok++;
            requestDuration.observe(Math.exp(Math.log(0.03) + random.nextGaussian() * 0.8));
        }
    }

    /** Mean-reverting random walk clamped to [min, max], rounded to 2 decimals. */
    private double walk(double v, double target, double pull, double sigma, double min, double max) {
        double next = v + (target - v) * pull + random.nextGaussian() * sigma;
        return round(Math.max(min, Math.min(max, next)), min < 1 ? 4 : 2);
    }

    /** Open-circuit voltage of a 7S lithium-ion pack at the given state of charge. */
    private static double voltageFor(double charge) {
        return 7 * (3.3 + 0.9 * Math.pow(charge, 0.8));
    }

    private static double round(double v, int decimals) {
        double scale = Math.pow(10, decimals);
        return Math.round(v * scale) / scale;
    }

    /**
     * Renders the current state as a text 0.0.4 exposition.
     *
     * @param scrapeSeq value of the {@code sensor_scrape_seq} gauge
     * @param nowMs wall-clock time, for {@code sensor_uptime_seconds}
     */
    String render(long scrapeSeq, long nowMs) {
        StringBuilder sb = new StringBuilder(2048 + synthetic.length * 40);
        family(sb, "sensor_temperature_celsius", "gauge", "Temperature reported by each sensor.");
        for (int m = 0; m < MOTORS.length; m++) {
            sample(sb, "sensor_temperature_celsius", "sensor", MOTORS[m], motorTemp[m]);
        }
        sample(sb, "sensor_temperature_celsius", "sensor", "battery", batteryTemp);
        gauge(sb, "sensor_humidity_ratio", "Relative humidity inside the chassis (0..1).", humidity);
        gauge(sb, "sensor_battery_charge_ratio", "Battery state of charge (0..1).", round(charge, 4));
        gauge(sb, "sensor_battery_voltage_volts", "Battery pack voltage.", round(voltage, 3));
        gauge(sb, "sensor_queue_depth", "Readings waiting to be processed.", queueDepth);
        requestDuration.render(sb, "sensor_request_duration_seconds", "Time to serve sensor API requests.");
        family(sb, "sensor_requests_total", "counter", "Sensor API requests by HTTP status.");
        sample(sb, "sensor_requests_total", "status", "200", ok);
        sample(sb, "sensor_requests_total", "status", "500", err500);
        sample(sb, "sensor_requests_total", "status", "503", err503);
        cpuSpike.render(sb, "sensor_cpu_spike_duration_seconds", "Duration of CPU usage spikes.");
        gauge(
                sb,
                "sensor_uptime_seconds",
                "Seconds since the sensor service started.",
                round(Math.max(0, nowMs - startedAtMs) / 1000.0, 3));
        family(sb, "sensor_build_info", "gauge", "Build information of the sensor service.");
        sample(sb, "sensor_build_info", "version", VERSION, 1);
        gauge(sb, "sensor_scrape_seq", "Sequence number of this scrape (1, 2, 3, ...).", scrapeSeq);
        if (synthetic.length > 0) {
            family(sb, "sensor_synthetic_value", "gauge", "Synthetic series for load testing.");
            for (int i = 0; i < synthetic.length; i++) {
                sample(sb, "sensor_synthetic_value", "idx", Integer.toString(i), synthetic[i]);
            }
        }
        return sb.toString();
    }

    private static void family(StringBuilder sb, String name, String type, String help) {
        sb.append("# HELP ").append(name).append(' ').append(help).append('\n');
        sb.append("# TYPE ").append(name).append(' ').append(type).append('\n');
    }

    private static void gauge(StringBuilder sb, String name, String help, double value) {
        family(sb, name, "gauge", help);
        sb.append(name).append(' ').append(format(value)).append('\n');
    }

    private static void sample(StringBuilder sb, String name, String label, String lv, double v) {
        sb.append(name).append('{').append(label).append("=\"").append(lv).append("\"} ");
        sb.append(format(v)).append('\n');
    }

    /** Formats a sample value the way Go clients do: integral values without a fraction. */
    static String format(double v) {
        if (Double.isNaN(v)) {
            return "NaN";
        }
        if (Double.isInfinite(v)) {
            return v > 0 ? "+Inf" : "-Inf";
        }
        if (v == Math.rint(v) && Math.abs(v) < 1e15) {
            return Long.toString((long) v);
        }
        return Double.toString(v);
    }

    /** A fixed-bucket histogram rendered with cumulative {@code le} buckets. */
    private static final class Histogram {
        private final double[] bounds;
        private final long[] counts; // per bucket, not cumulative; last slot is +Inf
        private long count;
        private double sum;

        Histogram(double... bounds) {
            this.bounds = bounds.clone();
            Arrays.sort(this.bounds);
            this.counts = new long[bounds.length + 1];
        }

        void observe(double v) {
            int i = 0;
            while (i < bounds.length && v > bounds[i]) {
                i++;
            }
            counts[i]++;
            count++;
            sum += v;
        }

        void render(StringBuilder sb, String name, String help) {
            family(sb, name, "histogram", help);
            long cumulative = 0;
            for (int i = 0; i <= bounds.length; i++) {
                cumulative += counts[i];
                String le = i < bounds.length ? format(bounds[i]) : "+Inf";
                sample(sb, name + "_bucket", "le", le, cumulative);
            }
            sb.append(name).append("_sum ").append(format(round(sum, 6))).append('\n');
            sb.append(name).append("_count ").append(count).append('\n');
        }
    }
}
