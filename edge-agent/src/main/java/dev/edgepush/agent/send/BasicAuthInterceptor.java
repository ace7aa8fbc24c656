package dev.edgepush.agent.send;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import okhttp3.Credentials;
import okhttp3.Interceptor;
import okhttp3.Response;

/**
 * Adds {@code Authorization: Basic ...} to every request (preemptively, as vmagent does: no
 * 401 round trip). The password never appears in {@link #toString()}.
 */
final class BasicAuthInterceptor implements Interceptor {
  private final String headerValue;

  BasicAuthInterceptor(String username, String password) {
    this.headerValue = Credentials.basic(username, password == null ? "" : password, StandardCharsets.UTF_8);
  }

  @Override
  public Response intercept(Chain chain) throws IOException {
    return chain.proceed(chain.request().newBuilder().header("Authorization", headerValue).build());
  }

  @Override
  public String toString() {
    return "BasicAuthInterceptor[<redacted>]";
  }
}
