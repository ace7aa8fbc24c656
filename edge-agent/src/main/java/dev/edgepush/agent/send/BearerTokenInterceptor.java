package dev.edgepush.agent.send;

import java.io.IOException;
import java.util.Objects;
import okhttp3.Interceptor;
import okhttp3.Response;

/**
 * Adds {@code Authorization: Bearer <token>} to every request. The token never appears in
 * {@link #toString()} or in exceptions thrown here.
 */
final class BearerTokenInterceptor implements Interceptor {

  private final String headerValue;

  BearerTokenInterceptor(String token) {
    Objects.requireNonNull(token, "token");
    if (token.isBlank()) {
      throw new IllegalArgumentException("bearer token is blank");
    }
    this.headerValue = "Bearer " + token;
  }

  @Override
  public Response intercept(Chain chain) throws IOException {
    return chain.proceed(chain.request().newBuilder().header("Authorization", headerValue).build());
  }

  @Override
  public String toString() {
    return "BearerTokenInterceptor[token=<redacted>]";
  }
}
