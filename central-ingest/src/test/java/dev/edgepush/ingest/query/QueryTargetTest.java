package dev.edgepush.ingest.query;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import org.junit.jupiter.api.Test;

class QueryTargetTest {
    @Test
    void singleNodeBaseGetsTheApiPathAndVmuiBesideIt() {
        QueryTarget t = QueryTarget.parse("http://vm:8428/");
        assertFalse(t.perTenant());
        assertEquals(
                new QueryTarget.Address(false, "vm", 8428, "/api/v1/query?query=up&match[]=x"),
                t.api("42", "/api/v1/query", "query=up&match[]=x"));
        assertEquals("/vmui/", t.vmui("42", "/vmui/", null).pathAndQuery());
        assertEquals("vm:8428", t.api("42", "/api/v1/labels", null).hostHeader());
    }

    @Test
    void vmselectBaseTakesTheReadersTenantLikeRemoteWriteUrl() {
        QueryTarget t = QueryTarget.parse("https://vmselect/select/{tenant}/prometheus");
        assertTrue(t.perTenant());
        QueryTarget.Address a = t.api("42:7", "/api/v1/query_range", "query=up");
        assertEquals(
                new QueryTarget.Address(true, "vmselect", 443, "/select/42:7/prometheus/api/v1/query_range?query=up"),
                a);
        assertEquals("vmselect", a.hostHeader());
        assertEquals(
                "/select/42/vmui/static/x.js",
                t.vmui("42", "/vmui/static/x.js", null).pathAndQuery());
    }

    @Test
    void badBaseUrlsSayWhatToGive() {
        assertThrows(IllegalArgumentException.class, () -> QueryTarget.parse("vm:8428"));
        assertTrue(assertThrows(IllegalArgumentException.class, () -> QueryTarget.parse("http://vm:8428/api/v1/query"))
                .getMessage()
                .contains("without /api/v1"));
        assertTrue(assertThrows(IllegalArgumentException.class, () -> QueryTarget.parse("http://{tenant}.vm:8428"))
                .getMessage()
                .contains("path"));
    }
}
