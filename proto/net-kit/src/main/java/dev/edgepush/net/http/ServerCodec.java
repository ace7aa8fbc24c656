package dev.edgepush.net.http;

import io.netty.buffer.ByteBuf;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.CombinedChannelDuplexHandler;
import io.netty.handler.codec.http.HttpDecoderConfig;
import io.netty.handler.codec.http.HttpHeaderNames;
import io.netty.handler.codec.http.HttpMethod;
import io.netty.handler.codec.http.HttpRequest;
import io.netty.handler.codec.http.HttpRequestDecoder;
import io.netty.handler.codec.http.HttpResponse;
import io.netty.handler.codec.http.HttpResponseEncoder;
import io.netty.handler.codec.http.HttpStatusClass;
import java.util.ArrayDeque;
import java.util.List;

/**
 * Pipeline position: where Netty's {@code HttpServerCodec} would be. The same decoder and encoder,
 * with one difference: a 204 keeps a {@code Content-Length: 0} that {@link
 * ResponseFramingHandler} put there for an HTTP/1.0 client. Netty's encoder strips it from every
 * 204 (RFC 9110 forbids it in HTTP/1.1, where a 204 ends at its head); an HTTP/1.0 keep-alive
 * client such as ApacheBench {@code ab -k} needs it, or waits for a close that never comes. Like
 * {@code HttpServerCodec}, the encoder knows which responses answer a HEAD or CONNECT (no body).
 */
final class ServerCodec extends CombinedChannelDuplexHandler<HttpRequestDecoder, HttpResponseEncoder> {
    private final ArrayDeque<HttpMethod> methods = new ArrayDeque<>(2);

    ServerCodec(HttpDecoderConfig config) {
        init(new Decoder(config), new Encoder());
    }

    private final class Decoder extends HttpRequestDecoder {
        Decoder(HttpDecoderConfig config) {
            super(config);
        }

        @Override
        protected void decode(ChannelHandlerContext ctx, ByteBuf buffer, List<Object> out) throws Exception {
            int before = out.size();
            super.decode(ctx, buffer, out);
            for (int i = before; i < out.size(); i++) {
                if (out.get(i) instanceof HttpRequest) {
                    methods.add(((HttpRequest) out.get(i)).method());
                }
            }
        }
    }

    private final class Encoder extends HttpResponseEncoder {
        @Override
        protected boolean isContentAlwaysEmpty(HttpResponse msg) {
            if (msg.status().codeClass() == HttpStatusClass.INFORMATIONAL) {
                return super.isContentAlwaysEmpty(msg); // an interim answer: the request is still to be answered
            }
            HttpMethod method = methods.poll();
            if (HttpMethod.HEAD.equals(method)
                    || HttpMethod.CONNECT.equals(method) && msg.status().codeClass() == HttpStatusClass.SUCCESS) {
                return true;
            }
            return super.isContentAlwaysEmpty(msg);
        }

        @Override
        protected void sanitizeHeadersBeforeEncode(HttpResponse msg, boolean isAlwaysEmpty) {
            String length = msg.status().code() == 204 ? msg.headers().get(HttpHeaderNames.CONTENT_LENGTH) : null;
            super.sanitizeHeadersBeforeEncode(msg, isAlwaysEmpty);
            if ("0".equals(length)) {
                msg.headers().set(HttpHeaderNames.CONTENT_LENGTH, length);
            }
        }
    }
}
