package dev.edgepush.forward.send;

import dev.edgepush.net.http.client.ClientConnection;
import dev.edgepush.net.http.client.ClientExchange;
import io.netty.buffer.ByteBuf;
import io.netty.channel.Channel;
import io.netty.channel.ChannelFuture;
import io.netty.handler.codec.http.DefaultHttpContent;
import io.netty.handler.codec.http.DefaultLastHttpContent;
import io.netty.handler.codec.http.HttpContent;
import io.netty.handler.codec.http.HttpHeaderNames;
import io.netty.handler.codec.http.HttpObject;
import io.netty.handler.codec.http.HttpRequest;
import io.netty.handler.codec.http.HttpResponse;
import io.netty.handler.codec.http.HttpUtil;
import io.netty.handler.codec.http.LastHttpContent;
import io.netty.handler.ssl.SslContext;
import io.netty.util.concurrent.Promise;
import java.io.IOException;
import java.net.InetSocketAddress;
import java.nio.charset.Charset;
import java.nio.charset.StandardCharsets;
import java.time.Instant;

/**
 * One push of a {@link RemoteWriteClient}: writes its request (the head, then the body in pieces
 * of {@link RemoteWriteClient#WRITE_CHUNK_BYTES}) and reads the answer into a {@link PushOutcome}
 * for {@link #promise}: status, {@code Retry-After}, the first 1 KiB of a refusal's body, and the
 * headers a 2.0 receiver and central-ingest answer with. 1xx interim responses are skipped.
 */
final class PushExchange extends ClientExchange {
    private final RemoteWriteClient client;
    private final byte[] body;
    private final int offset;
    private final int length;
    private final HttpRequest request;
    final Promise<PushOutcome> promise;
    /** The caller gave up: nothing more is read from {@link #body}. Guarded by this. */
    boolean abandoned;

    // Event loop only.
    private boolean requestWritten;
    /** Skipping a 1xx interim response up to its end. */
    private boolean interim;

    private int status;
    private String retryAfter;
    private String samplesWritten;
    private String acceptEncoding;
    private boolean keepAlive;
    private Charset charset;
    private byte[] rejectBody;
    private int rejectLength;

    PushExchange(
            RemoteWriteClient client,
            ClientConnection connection,
            long deadlineNanos,
            SslContext ssl,
            InetSocketAddress address,
            byte[] body,
            int offset,
            int length,
            HttpRequest request,
            Promise<PushOutcome> promise) {
        super(connection, deadlineNanos, ssl, address);
        this.client = client;
        this.body = body;
        this.offset = offset;
        this.length = length;
        this.request = request;
        this.promise = promise;
    }

    @Override
    protected void write(Channel ch) {
        requestWritten = false;
        interim = false;
        status = 0;
        rejectBody = null;
        rejectLength = 0;
        ch.write(request).addListener((ChannelFuture f) -> {
            if (!f.isSuccess()) {
                writeFailed(ch, f.cause());
            }
        });
        writeBody(ch, 0);
    }

    /**
     * Writes the body from {@code pos} on: one piece, then the next once the socket took it. The
     * copy out of the caller's array happens under the exchange's lock, and not at all once the
     * caller gave up.
     */
    private void writeBody(Channel ch, int pos) {
        int n = Math.min(RemoteWriteClient.WRITE_CHUNK_BYTES, length - pos);
        boolean last = pos + n == length;
        HttpContent part;
        synchronized (this) {
            if (abandoned) {
                return; // the caller's giving up closes the connection
            }
            if (n == 0) {
                part = LastHttpContent.EMPTY_LAST_CONTENT;
            } else {
                ByteBuf buf = ch.alloc().directBuffer(n);
                buf.writeBytes(body, offset + pos, n);
                part = last ? new DefaultLastHttpContent(buf) : new DefaultHttpContent(buf);
            }
        }
        ch.writeAndFlush(part).addListener((ChannelFuture f) -> {
            if (!isOn(ch)) {
                return;
            }
            if (!f.isSuccess()) {
                writeFailed(ch, f.cause());
            } else if (last) {
                requestWritten = true;
            } else {
                writeBody(ch, pos + n);
            }
        });
    }

    @Override
    protected void read(HttpObject msg) {
        if (msg instanceof HttpResponse r) {
            int code = r.status().code();
            interim = code >= 100 && code < 200 && code != 101; // 100 Continue, 103 Early Hints: the answer follows
            if (!interim) {
                status = code;
                retryAfter = r.headers().get(HttpHeaderNames.RETRY_AFTER);
                samplesWritten = r.headers().get(RemoteWriteClient.SAMPLES_WRITTEN_HEADER);
                acceptEncoding = r.headers().get(RemoteWriteClient.ACCEPT_ENCODING_HEADER);
                keepAlive = HttpUtil.isKeepAlive(r);
                if (code < 200 || code > 299) {
                    charset = HttpUtil.getCharset(r, StandardCharsets.UTF_8);
                    rejectBody = new byte[OutcomeClassifier.MAX_BODY_CHARS];
                }
            }
        }
        if (msg instanceof HttpContent c) {
            if (rejectBody != null && !interim) {
                ByteBuf content = c.content();
                int n = Math.min(content.readableBytes(), rejectBody.length - rejectLength);
                content.getBytes(content.readerIndex(), rejectBody, rejectLength, n);
                rejectLength += n;
            }
            if (msg instanceof LastHttpContent) {
                if (interim) {
                    interim = false;
                } else {
                    // not kept when the server answered before it had the whole body
                    succeed(keepAlive && requestWritten);
                }
            }
        }
    }

    @Override
    protected void completed(String error) {
        if (error != null) {
            promise.trySuccess(OutcomeClassifier.networkError(new IOException(error)));
            return;
        }
        String text = rejectBody == null
                ? null
                : new String(rejectBody, 0, rejectLength, charset == null ? StandardCharsets.UTF_8 : charset);
        client.answered(samplesWritten, acceptEncoding);
        promise.trySuccess(OutcomeClassifier.classify(status, retryAfter, text, Instant.now()));
    }
}
