package dev.edgepush.ingest.auth;

import java.util.Objects;

/**
 * Who a bearer token belongs to: a robot (writes as {@code robot=<name>}) or a reader, and the
 * tenant both are confined to.
 */
public record Identity(Kind kind, String name, String tenant) {
  public Identity {
    Objects.requireNonNull(kind, "kind");
    Objects.requireNonNull(name, "name");
    Objects.requireNonNull(tenant, "tenant");
  }
}
