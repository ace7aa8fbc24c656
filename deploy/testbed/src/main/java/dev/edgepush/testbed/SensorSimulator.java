package dev.edgepush.testbed;

/** Placeholder. */
public final class SensorSimulator {
  private SensorSimulator() {}

  public static void main(String[] args) {}
}
