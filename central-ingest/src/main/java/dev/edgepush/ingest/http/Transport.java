package dev.edgepush.ingest.http;

import io.netty.channel.Channel;
import io.netty.channel.EventLoopGroup;
import io.netty.channel.IoEventLoopGroup;
import io.netty.channel.IoHandlerFactory;
import io.netty.channel.ServerChannel;
import io.netty.channel.epoll.Epoll;
import io.netty.channel.epoll.EpollIoHandler;
import io.netty.channel.epoll.EpollServerSocketChannel;
import io.netty.channel.epoll.EpollSocketChannel;
import io.netty.channel.nio.NioIoHandler;
import io.netty.channel.socket.nio.NioServerSocketChannel;
import io.netty.channel.socket.nio.NioSocketChannel;
import java.util.regex.Pattern;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The socket layer of central-ingest's event loops: Netty's native epoll transport where its
 * library loads (Linux on x86_64: one JNI call per read or write straight from pooled native
 * memory, edge-triggered epoll, no selected-key set), Java NIO elsewhere. {@code
 * -Dio.netty.transport.noNative=true} in {@code CENTRAL_INGEST_JAVA_OPTS} forces NIO.
 */
public enum Transport {
    EPOLL,
    NIO;

    private static final Logger log = LoggerFactory.getLogger(Transport.class);

    /** Epoll if it can be used here, else NIO (saying why at INFO). */
    public static Transport best() {
        if (Epoll.isAvailable()) {
            return EPOLL;
        }
        log.info(
                "Netty's native epoll transport is not available here ({}); sockets use Java NIO",
                Epoll.unavailabilityCause().toString());
        return NIO;
    }

    private static final Pattern NATIVE_CALL =
            Pattern.compile("^\\w+\\(\\.\\.\\) failed(?: with error\\(-?\\d+\\))?: ");

    /**
     * A socket error's message in the JDK's words, whichever transport raised it: the native one
     * names the failing call first ("bind(..) failed with error(-98): Address already in use").
     */
    public static String reason(Throwable t) {
        return NATIVE_CALL.matcher(String.valueOf(t.getMessage())).replaceFirst("");
    }

    /** The transport {@code group}'s loops run: channels registered with it must be of that kind. */
    static Transport of(EventLoopGroup group) {
        return group instanceof IoEventLoopGroup g && g.isIoType(EpollIoHandler.class) ? EPOLL : NIO;
    }

    public IoHandlerFactory ioHandlerFactory() {
        return this == EPOLL ? EpollIoHandler.newFactory() : NioIoHandler.newFactory();
    }

    Class<? extends ServerChannel> serverChannel() {
        return this == EPOLL ? EpollServerSocketChannel.class : NioServerSocketChannel.class;
    }

    Class<? extends Channel> socketChannel() {
        return this == EPOLL ? EpollSocketChannel.class : NioSocketChannel.class;
    }
}
