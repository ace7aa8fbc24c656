package dev.edgepush.ingest.http;

import io.netty.buffer.Unpooled;
import io.netty.channel.ChannelHandlerContext;
import io.netty.handler.codec.http.DefaultFullHttpResponse;
import io.netty.handler.codec.http.FullHttpResponse;
import io.netty.handler.codec.http.HttpHeaderNames;
import io.netty.handler.codec.http.HttpHeaderValues;
import io.netty.handler.codec.http.HttpResponseStatus;
import io.netty.handler.codec.http.HttpVersion;
import java.nio.charset.StandardCharsets;

/** Building and sending the small responses this server gives. */
public final class HttpResponses {
  private HttpResponses() {}

  /** A text/plain response; the body gets a trailing newline. */
  public static FullHttpResponse text(HttpResponseStatus status, String message) {
    return body(status, "text/plain; charset=utf-8", message.endsWith("\n") ? message : message + "\n");
  }

  public static FullHttpResponse body(HttpResponseStatus status, String contentType, String body) {
    byte[] bytes = body.getBytes(StandardCharsets.UTF_8);
    FullHttpResponse res = new DefaultFullHttpResponse(HttpVersion.HTTP_1_1, status, Unpooled.wrappedBuffer(bytes));
    res.headers().set(HttpHeaderNames.CONTENT_TYPE, contentType).setInt(HttpHeaderNames.CONTENT_LENGTH, bytes.length);
    return res;
  }

  public static FullHttpResponse empty(HttpResponseStatus status) {
    FullHttpResponse res = new DefaultFullHttpResponse(HttpVersion.HTTP_1_1, status, Unpooled.EMPTY_BUFFER);
    if (status.code() != 204) {
      res.headers().setInt(HttpHeaderNames.CONTENT_LENGTH, 0);
    }
    return res;
  }

  /** Marks the response so the connection closes after it (the keep-alive handler does it). */
  public static FullHttpResponse closing(FullHttpResponse res) {
    res.headers().set(HttpHeaderNames.CONNECTION, HttpHeaderValues.CLOSE);
    return res;
  }

  public static void send(ChannelHandlerContext ctx, FullHttpResponse res) {
    ctx.writeAndFlush(res);
  }
}
