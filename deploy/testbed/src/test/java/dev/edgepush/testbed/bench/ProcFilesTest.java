package dev.edgepush.testbed.bench;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import org.junit.jupiter.api.Test;

class ProcFilesTest {
    private static final String STATUS = """
      Name:\tjava
      Umask:\t0022
      State:\tS (sleeping)
      VmPeak:\t 2969112 kB
      VmHWM:\t  111516 kB
      VmRSS:\t  104220 kB
      RssAnon:\t   80000 kB
      Threads:\t19
      """;

    @Test
    void readsPeakAndCurrentRssInKiB() {
        assertEquals(111516, ProcFiles.statusKiB(STATUS, "VmHWM"));
        assertEquals(104220, ProcFiles.statusKiB(STATUS, "VmRSS"));
    }

    @Test
    void aMissingStatusFieldIsAnErrorNamingIt() {
        IllegalArgumentException e =
                assertThrows(IllegalArgumentException.class, () -> ProcFiles.statusKiB("Name:\tjava\n", "VmHWM"));
        assertEquals("no VmHWM line in /proc status", e.getMessage());
    }

    @Test
    void addsUserAndSystemTicksCountingFieldsAfterTheCommandName() {
        // Fields 14 (utime) = 348 and 15 (stime) = 52; the name holds spaces and a ')'.
        String stat = "26844 (java (x) y) S 1 26844 26844 0 -1 4194560 24811 0 12 0 348 52 0 0 20 0 19 0"
                + " 1234 2969112 27879 18446744073709551615 1 1 0 0 0 0 0 4096 17102 0 0 0 17 1 0 0 0 0 0\n";
        assertEquals(400, ProcFiles.cpuTicks(stat));
    }

    @Test
    void readsThisVeryProcess() throws IOException {
        ProcFiles.Reading r = ProcFiles.read(ProcessHandle.current().pid());
        assertTrue(r.hwmKiB() >= r.rssKiB() && r.rssKiB() > 0, r.toString());
        assertTrue(r.cpuSeconds() > 0, r.toString());
    }
}
