package dev.edgepush.agent.send;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.edgepush.agent.AgentMetrics;
import dev.edgepush.agent.buffer.DiskBuffer;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Deque;
import java.util.List;
import java.util.SplittableRandom;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Steps the send loop with a fake clock and a scripted transport. */
class SenderTest {
  @TempDir Path dir;
  long now = 1_000_000;
  DiskBuffer buffer;
  AgentMetrics metrics;
  final List<String> sent = new ArrayList<>();
  final Deque<PushOutcome> script = new ArrayDeque<>();

  final Sender.Transport transport =
      new Sender.Transport() {
        @Override
        public PushOutcome push(byte[] body, int offset, int length) {
          sent.add(new String(body, offset, length, StandardCharsets.UTF_8));
          return script.isEmpty() ? new PushOutcome.Delivered(204) : script.poll();
        }

        @Override
        public long lastRequestBytes() {
          return 10;
        }
      };

  @BeforeEach
  void open() throws IOException {
    buffer = DiskBuffer.open(dir);
    metrics = new AgentMetrics(() -> now);
    metrics.bindBuffer(buffer::bufferedSamplesTotal, buffer::pendingSamples, () -> 0, buffer::corruptSamplesTotal);
  }

  @AfterEach
  void close() {
    buffer.close();
  }

  private Sender sender(int maxSamples, int maxBytes) {
    return new Sender(buffer, transport, new Backoff(Duration.ofSeconds(1), Duration.ofSeconds(60), new SplittableRandom(1)),
        metrics, () -> now, Duration.ofSeconds(1), maxSamples, maxBytes, "test");
  }

  private void append(String s, int samples) throws IOException {
    byte[] b = s.getBytes(StandardCharsets.UTF_8);
    buffer.append(b, b.length, samples, now);
  }

  @Test
  void waitsForTheFlushIntervalThenSendsExcerptsJoined() throws IOException {
    Sender s = sender(1000, 1 << 20);
    append("a", 1);
    append("b", 2);
    s.runOnce();
    assertTrue(sent.isEmpty(), "a batch below the limits waits for the flush interval");
    now += 1000;
    s.runOnce();
    assertEquals(List.of("ab"), sent);
    assertEquals(3, metrics.samplesSent.sum());
    assertEquals(0, buffer.pendingSamples());
  }

  @Test
  void aFullBatchGoesAtOnceAndTheNextExcerptStartsTheNextBatch() throws IOException {
    Sender s = sender(3, 1 << 20);
    append("a", 2);
    append("b", 2);
    append("c", 1);
    s.runOnce();
    assertEquals(List.of("a"), sent, "b would pass 3 samples: it waits for the next batch");
    s.runOnce();
    assertEquals(List.of("a", "bc"), sent);
  }

  @Test
  void retryResendsTheSameBytesAfterRetryAfterAndAcksOnlyOnSuccess() throws IOException {
    Sender s = sender(1, 1 << 20);
    append("x", 1);
    script.add(new PushOutcome.Retry(503, Duration.ofSeconds(5), "HTTP 503"));
    long wait = s.runOnce();
    assertEquals(5000, wait, "Retry-After is honoured");
    assertEquals(1, buffer.pendingSamples(), "nothing is acknowledged on a retry");
    now += 4999;
    s.runOnce();
    assertEquals(1, sent.size(), "no resend before Retry-After");
    now += 1;
    s.runOnce();
    assertEquals(List.of("x", "x"), sent, "a re-sent batch is byte-identical");
    assertEquals(0, buffer.pendingSamples());
    assertEquals(1, metrics.requests("503"));
    assertEquals(1, metrics.requests("204"));
  }

  @Test
  void networkErrorsBackOffExponentially() throws IOException {
    Sender s = sender(1, 1 << 20);
    append("x", 1);
    for (int i = 0; i < 4; i++) {
      script.add(new PushOutcome.Retry(0, null, "Connection refused"));
    }
    long w1 = s.runOnce();
    now += w1;
    long w2 = s.runOnce();
    now += w2;
    long w3 = s.runOnce();
    assertTrue(w1 >= 500 && w1 <= 1000, "first backoff in [0.5s, 1s]: " + w1);
    assertTrue(w2 >= 1000 && w2 <= 2000, "second in [1s, 2s]: " + w2);
    assertTrue(w3 >= 2000 && w3 <= 4000, "third in [2s, 4s]: " + w3);
    assertEquals(3, metrics.requests("error"));
  }

  @Test
  void rejectedBatchIsCountedAndNotResent() throws IOException {
    Sender s = sender(1, 1 << 20);
    append("bad", 4);
    append("good", 1);
    script.add(new PushOutcome.Rejected(400, "invalid label"));
    s.runOnce();
    s.runOnce();
    s.runOnce();
    assertEquals(List.of("bad", "good"), sent);
    assertEquals(4, metrics.droppedTotal("rejected"));
    assertEquals(1, metrics.samplesSent.sum());
  }

  @Test
  void aRestartedSenderResumesAfterTheLastAcknowledgedBatch() throws IOException {
    Sender s = sender(1, 1 << 20);
    append("one", 1);
    append("two", 1);
    s.runOnce();
    assertEquals(List.of("one"), sent);
    s.closeReader();
    buffer.close();
    buffer = DiskBuffer.open(dir);
    Sender again = sender(1, 1 << 20);
    again.runOnce();
    assertEquals(List.of("one", "two"), sent, "'one' is not sent twice, 'two' is not lost");
  }
}
