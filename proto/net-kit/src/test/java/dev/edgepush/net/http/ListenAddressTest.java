package dev.edgepush.net.http;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import org.junit.jupiter.api.Test;

class ListenAddressTest {
    @Test
    void goFormsParse() {
        assertEquals(new ListenAddress("0.0.0.0", 8427), ListenAddress.parse(":8427", ":8427"));
        assertEquals(new ListenAddress("127.0.0.1", 0), ListenAddress.parse("127.0.0.1:0", ":8427"));
        assertEquals(new ListenAddress("::1", 9), ListenAddress.parse("[::1]:9", ":8427"));
    }

    @Test
    void aBadValueNamesTheFlagAndTheExample() {
        for (String bad : new String[] {"8427", ":http", ":65536", ":-1", "h:"}) {
            assertEquals(
                    "-httpListenAddr=" + bad + ": expected host:port or :port, e.g. :1",
                    assertThrows(IllegalArgumentException.class, () -> ListenAddress.parse(bad, ":1"))
                            .getMessage());
        }
    }
}
