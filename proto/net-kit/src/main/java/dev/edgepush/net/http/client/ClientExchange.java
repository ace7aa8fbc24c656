package dev.edgepush.net.http.client;

import io.netty.channel.Channel;
import io.netty.handler.codec.http.HttpObject;
import io.netty.handler.ssl.SslContext;
import java.net.SocketAddress;

/**
 * One request and its response on a {@link ClientConnection}: the subclass writes the request
 * and reads the response; the connection opens, reuses, retries and closes channels. Every
 * method runs on the connection's event loop; {@link #completed} is called exactly once.
 */
public abstract class ClientExchange {
    private final ClientConnection connection;
    private final long deadlineNanos;
    private final SslContext ssl;
    private final SocketAddress address;

    /** The channel the request went out on (or is connecting); events of other channels are ignored. */
    Channel channel;
    /** The request went out on a connection an earlier exchange had used: a close before any response byte is retried. */
    boolean reused;
    /** A response byte arrived on {@link #channel}. */
    boolean responseStarted;

    boolean done;

    /**
     * @param deadlineNanos {@link System#nanoTime} by which the exchange must end: it bounds the
     *     connect timeout and a retry
     * @param ssl the TLS context for a new connection, or null for plain HTTP
     * @param address where a new connection goes (resolved, or unresolved for Netty to resolve),
     *     or null for the address of the connection's last channel
     */
    protected ClientExchange(ClientConnection connection, long deadlineNanos, SslContext ssl, SocketAddress address) {
        this.connection = connection;
        this.deadlineNanos = deadlineNanos;
        this.ssl = ssl;
        this.address = address;
    }

    /** Writes the request on {@code ch}; a failed write is reported to {@link #writeFailed}. */
    protected abstract void write(Channel ch);

    /** One part of the response (status and headers, a piece of the body, the end), decoded without error. */
    protected abstract void read(HttpObject msg);

    /** The exchange has ended: {@code error} is null once {@link #succeed} was called, else why it failed. */
    protected abstract void completed(String error);

    /**
     * The text of an error raised in the pipeline that must end the exchange without a retry, or
     * null when the usual rule holds (retried on a fresh connection if nothing of the response came
     * back on a reused one).
     */
    protected String fatal(Throwable cause) {
        return null;
    }

    /** Whether a request lost on a reused connection may go out once more now. */
    protected boolean retryAllowed() {
        return System.nanoTime() < deadlineNanos;
    }

    /** The response was read whole: keeps the channel for the next exchange if {@code reusable}. */
    protected final void succeed(boolean reusable) {
        connection.finish(this, reusable);
    }

    /** The write of the request on {@code ch} failed. */
    protected final void writeFailed(Channel ch, Throwable cause) {
        connection.failOrRetry(this, ch, "cannot send the request: " + connection.describe(cause));
    }

    /** True while the exchange is in progress on {@code ch}: a listener of an old channel does nothing. */
    protected final boolean isOn(Channel ch) {
        return !done && channel == ch;
    }

    /**
     * Ends the exchange with {@code error} (unless it has ended), closing its channel, which may be
     * mid-request or mid-response: a timeout, a body too large, a response it cannot take.
     */
    public final void fail(String error) {
        connection.fail(this, error);
    }

    public final boolean isDone() {
        return done;
    }

    final long deadlineNanos() {
        return deadlineNanos;
    }

    final SslContext ssl() {
        return ssl;
    }

    final SocketAddress address() {
        return address;
    }
}
