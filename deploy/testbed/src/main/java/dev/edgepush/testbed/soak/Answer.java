package dev.edgepush.testbed.soak;

/** The answer to one attack of the {@link AbuseSuite}, as its table shows it, and whether it is the one expected. */
record Answer(String text, boolean asExpected) {

    static Answer expect(Http.Response r, int status) {
        return expect(r, status, null);
    }

    static Answer expect(Http.Response r, int status, String note) {
        return new Answer(
                r.status() + " " + firstLine(r.body(), 80) + (note == null ? "" : " (" + note + ")"),
                r.status() == status);
    }

    static Answer expectOneOf(Http.Response r, int a, int b) {
        return new Answer(r.status() + " " + firstLine(r.body(), 80), r.status() == a || r.status() == b);
    }

    static String firstLine(String s, int max) {
        String line = s.strip().lines().findFirst().orElse("").replace('|', '/');
        return line.length() > max ? line.substring(0, max) + "..." : line;
    }
}
