package dev.edgepush.ingest.auth;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.FileTime;
import java.util.Optional;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class TokensFileTest {
    @TempDir
    Path dir;

    private Path file(String content) throws Exception {
        Path p = dir.resolve("tokens");
        Files.writeString(p, content);
        return p;
    }

    @Test
    void resolvesRobotAndReaderTokensFromTheirHashesSkippingCommentsAndBlankLines() throws Exception {
        TokensFile f = TokensFile.open(file("# fleet A\n\nrobot r1 42 " + TokensFile.hashOf("a") + "\n"
                + "  reader ops 42:3 " + TokensFile.hashOf("b").toUpperCase().replace("SHA256", "sha256") + "  \n"));
        assertEquals(Optional.of(new Identity(Kind.ROBOT, "r1", "42")), f.lookup("a"));
        assertEquals(Optional.of(new Identity(Kind.READER, "ops", "42:3")), f.lookup("b"));
        assertEquals(Optional.empty(), f.lookup("c"));
        assertEquals(Optional.empty(), f.lookup(""));
        assertEquals(2, f.size());
    }

    @Test
    void eachOfTenThousandTokensFindsItsOwnRobot() throws Exception {
        StringBuilder lines = new StringBuilder();
        for (int i = 0; i < 10_000; i++) {
            lines.append("robot r")
                    .append(i)
                    .append(" 42 ")
                    .append(TokensFile.hashOf("token-" + i))
                    .append('\n');
        }
        TokensFile f = TokensFile.open(file(lines.toString()));
        for (int i = 0; i < 10_000; i++) {
            assertEquals("r" + i, f.lookup("token-" + i).orElseThrow().name());
        }
        assertEquals(Optional.empty(), f.lookup("token-10000"));
        assertEquals(10_000, f.identities().size());
    }

    @Test
    void badLineIsReportedWithItsNumber() throws Exception {
        TokensFileException e = assertThrows(
                TokensFileException.class,
                () -> TokensFile.open(file("robot r1 42 " + TokensFile.hashOf("a") + "\n# ok\nwriter r2 42 "
                        + TokensFile.hashOf("b") + "\n")));
        assertTrue(e.getMessage().contains("line 3: kind 'writer'"), e.getMessage());
        e = assertThrows(TokensFileException.class, () -> TokensFile.open(file("robot r1 42 plaintext-token\n")));
        assertTrue(e.getMessage().contains("line 1: expected sha256:"), e.getMessage());
        assertFalse(e.getMessage().contains("plaintext-token"), "a token pasted by mistake is not echoed whole");
        e = assertThrows(
                TokensFileException.class,
                () -> TokensFile.open(file("robot r1 fleet-a " + TokensFile.hashOf("a") + "\n")));
        assertTrue(e.getMessage().contains("line 1: tenant 'fleet-a'"), e.getMessage());
    }

    @Test
    void reloadsWhenTheFileChangesAndKeepsThePreviousSetWhenTheNewOneIsBad() throws Exception {
        Path p = file("robot r1 42 " + TokensFile.hashOf("a") + "\n");
        TokensFile f = TokensFile.open(p);
        assertFalse(f.reloadIfChanged(), "unchanged file");

        Files.writeString(
                p, "robot r1 42 " + TokensFile.hashOf("a") + "\nrobot r2 42 " + TokensFile.hashOf("b") + "\n");
        assertTrue(f.reloadIfChanged());
        assertEquals("r2", f.lookup("b").orElseThrow().name());

        Files.writeString(p, "robot r3 42 " + TokensFile.hashOf("c") + "\nbroken line\n");
        assertFalse(f.reloadIfChanged());
        assertEquals("r2", f.lookup("b").orElseThrow().name(), "previous good set stays in force");
        assertEquals(Optional.empty(), f.lookup("c"));

        // Same size, new content: the modification time alone triggers the reload.
        Files.writeString(p, "robot r4 42 " + TokensFile.hashOf("d") + "\n#234567890123\n");
        Files.setLastModifiedTime(
                p, FileTime.fromMillis(Files.getLastModifiedTime(p).toMillis() + 2000));
        assertTrue(f.reloadIfChanged());
        assertEquals("r4", f.lookup("d").orElseThrow().name());
        assertEquals(Optional.empty(), f.lookup("b"));
    }
}
