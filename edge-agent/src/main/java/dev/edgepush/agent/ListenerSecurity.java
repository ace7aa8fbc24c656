package dev.edgepush.agent;

import dev.edgepush.net.tls.ServerTls;

/**
 * How the agent's own listener ({@code -httpListenAddr}) is protected: vmagent's {@code
 * -httpAuth.username}/{@code -httpAuth.password} (basic auth; off when the user name is empty) and
 * {@code -tls} with its files ({@code tls} null when off).
 */
record ListenerSecurity(String username, String password, ServerTls.Settings tls) {
    static final ListenerSecurity OPEN = new ListenerSecurity(null, null, null);

    boolean basicAuth() {
        return username != null && !username.isEmpty();
    }

    /** Never the password, should a Config ever be logged. */
    @Override
    public String toString() {
        return "ListenerSecurity[username=" + username + ", password=" + (password == null ? "none" : "<secret>")
                + ", tls=" + tls + "]";
    }
}
