package dev.edgepush.agent;

/** Entry point of edge-agent. */
public final class Main {
  private Main() {}

  public static void main(String[] args) {
    System.out.println("edge-agent");
  }
}
