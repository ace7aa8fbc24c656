package dev.edgepush.net.tls;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.net.InetSocketAddress;
import java.util.concurrent.atomic.AtomicLong;
import org.junit.jupiter.api.Test;

class HandshakeLogTest {
    private final AtomicLong now = new AtomicLong(1_000_000);
    private final HandshakeLog log = new HandshakeLog("test", now::get);
    private final InetSocketAddress from = new InetSocketAddress("127.0.0.1", 40000);
    private final TlsFailure notTls = new TlsFailure("not_tls", "not TLS");
    private final TlsFailure unknownCa = new TlsFailure("unknown_ca", "unknown CA");

    @Test
    void aThousandRefusalsOfOneKindWithinTenSecondsWriteOneLine() {
        int logged = 0;
        for (int i = 0; i < 1000; i++) {
            now.addAndGet(5); // 5 s in all
            logged += log.refused(from, notTls) ? 1 : 0;
        }
        assertEquals(1, logged);
    }

    @Test
    void eachKindHasItsOwnAllowanceAndItRenewsAfterTenSeconds() {
        assertTrue(log.refused(from, notTls));
        assertTrue(log.refused(from, unknownCa), "another reason is not hidden by the first");
        assertFalse(log.refused(from, notTls));
        now.addAndGet(HandshakeLog.EVERY_MS - 1);
        assertFalse(log.refused(from, notTls));
        now.addAndGet(1);
        assertTrue(log.refused(from, notTls), "ten seconds later it is logged again");
    }
}
