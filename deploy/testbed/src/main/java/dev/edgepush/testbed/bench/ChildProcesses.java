package dev.edgepush.testbed.bench;

import java.io.IOException;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;

/**
 * Every process the benchmark starts. A JVM shutdown hook stops the ones still alive (SIGTERM, then
 * SIGKILL after a grace period), so an interrupted or failing run leaves nothing behind. Only
 * processes started here are ever signalled, by their own handle.
 */
final class ChildProcesses implements AutoCloseable {
  /** Time a child gets to exit after SIGTERM before it is killed; VictoriaMetrics flushes. */
  static final long GRACE_MS = 30_000;

  private final List<Process> started = new CopyOnWriteArrayList<>();

  ChildProcesses() {
    Runtime.getRuntime().addShutdownHook(new Thread(this::close, "bench-children-shutdown"));
  }

  /**
   * Starts {@code command} with stdout and stderr appended to {@code log}.
   *
   * @throws IOException when it cannot be started
   */
  Process start(List<String> command, Path log) throws IOException {
    Process p = new ProcessBuilder(command)
        .redirectErrorStream(true)
        .redirectOutput(ProcessBuilder.Redirect.appendTo(log.toFile()))
        .start();
    started.add(p);
    return p;
  }

  /** Starts {@code command} with stdout readable by the caller and stderr appended to {@code log}. */
  Process startPiped(List<String> command, Path log) throws IOException {
    Process p = new ProcessBuilder(command)
        .redirectError(ProcessBuilder.Redirect.appendTo(log.toFile()))
        .start();
    started.add(p);
    return p;
  }

  /** SIGTERM, wait up to {@link #GRACE_MS}, then SIGKILL. Returns the exit code. */
  static int stop(Process p) {
    p.descendants().forEach(ProcessHandle::destroy);
    p.destroy();
    try {
      if (!p.waitFor(GRACE_MS, TimeUnit.MILLISECONDS)) {
        p.descendants().forEach(ProcessHandle::destroyForcibly);
        p.destroyForcibly();
        p.waitFor(5, TimeUnit.SECONDS);
      }
      return p.isAlive() ? -1 : p.exitValue();
    } catch (InterruptedException e) {
      p.destroyForcibly();
      Thread.currentThread().interrupt();
      return -1;
    }
  }

  /** Stops every child still alive, the most recent first. */
  @Override
  public void close() {
    for (int i = started.size() - 1; i >= 0; i--) {
      Process p = started.get(i);
      if (p.isAlive()) {
        stop(p);
      }
    }
  }
}
