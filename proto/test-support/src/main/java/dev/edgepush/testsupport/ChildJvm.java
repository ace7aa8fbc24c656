package dev.edgepush.testsupport;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

/**
 * The command line of a child JVM, run with the JVM of the test itself: small and quick to start
 * ({@code -XX:+UseSerialGC -XX:TieredStopAtLevel=1}), then the caller's JVM options (a later
 * {@code -Xmx} wins over an earlier one), then the program.
 */
public final class ChildJvm {
    /**
     * The options Chronicle Queue needs on Java 17 (and its analytics off); the system property
     * {@code edgepush.test.jvmFlags} (space-separated) replaces them.
     */
    public static final String CHRONICLE_FLAGS =
            "--add-exports=java.base/sun.nio.ch=ALL-UNNAMED --add-exports=java.base/jdk.internal.ref=ALL-UNNAMED "
                    + "--add-opens=java.base/java.lang.reflect=ALL-UNNAMED --add-opens=java.base/java.nio=ALL-UNNAMED "
                    + "--add-opens=java.base/sun.nio.ch=ALL-UNNAMED --add-opens=java.base/java.lang=ALL-UNNAMED "
                    + "-Dchronicle.analytics.disable=true";

    private ChildJvm() {}

    /** The {@code java} executable running this test. */
    public static String java() {
        return ProcessHandle.current().info().command().orElse("java");
    }

    /**
     * {@code mainClass} on this test's classpath, with {@code jvmOptions}, the Chronicle options
     * ({@link #CHRONICLE_FLAGS}) and {@code args}.
     */
    public static List<String> command(List<String> jvmOptions, String mainClass, List<String> args) {
        List<String> cmd = base(jvmOptions);
        cmd.addAll(List.of(
                System.getProperty("edgepush.test.jvmFlags", CHRONICLE_FLAGS).split(" ")));
        cmd.add("-cp");
        cmd.add(System.getProperty("java.class.path"));
        cmd.add(mainClass);
        cmd.addAll(args);
        return cmd;
    }

    /** {@code java <jvmOptions> -jar <jar> <args>}: a packaged jar, which brings its own options. */
    public static List<String> jarCommand(List<String> jvmOptions, Path jar, List<String> args) {
        List<String> cmd = base(jvmOptions);
        cmd.add("-jar");
        cmd.add(jar.toString());
        cmd.addAll(args);
        return cmd;
    }

    private static List<String> base(List<String> jvmOptions) {
        List<String> cmd = new ArrayList<>();
        cmd.add(java());
        cmd.add("-XX:+UseSerialGC");
        cmd.add("-XX:TieredStopAtLevel=1");
        cmd.addAll(jvmOptions);
        return cmd;
    }
}
