package dev.edgepush.ingest.http;

import dev.edgepush.ingest.auth.Identity;
import dev.edgepush.ingest.auth.Kind;
import io.netty.channel.ChannelHandlerContext;
import io.netty.handler.codec.http.FullHttpResponse;
import io.netty.handler.codec.http.HttpRequest;
import io.netty.handler.codec.http.HttpResponseStatus;
import io.netty.handler.ssl.SslHandler;
import java.security.cert.Certificate;
import java.security.cert.CertificateParsingException;
import java.security.cert.X509Certificate;
import java.util.ArrayList;
import java.util.Collection;
import java.util.List;
import javax.naming.InvalidNameException;
import javax.naming.ldap.LdapName;
import javax.naming.ldap.Rdn;
import javax.net.ssl.SSLPeerUnverifiedException;

/**
 * {@code -mtls.requireRobotName}: right after {@link AuthHandler}, a robot token is accepted only
 * on a connection whose client certificate names that robot, as its subject's CN or one of its
 * DNS subject alternative names; else 403. So a stolen token is useless without the robot's key,
 * and a robot's certificate cannot carry another robot's token. Reader tokens are not checked.
 */
final class CertificateRobotCheck extends HeadFilter {
    @Override
    protected FullHttpResponse check(ChannelHandlerContext ctx, HttpRequest req) {
        Identity id = ctx.channel().attr(AuthHandler.IDENTITY).get();
        if (id == null || id.kind() != Kind.ROBOT) {
            return null;
        }
        List<String> names = names(ctx.pipeline().get(SslHandler.class));
        if (names.contains(id.name())) {
            return null;
        }
        return HttpResponses.text(
                HttpResponseStatus.FORBIDDEN,
                "the token belongs to robot " + id.name()
                        + " but the client certificate names "
                        + (names.isEmpty() ? "nothing" : String.join(", ", names))
                        + " (-mtls.requireRobotName: the certificate's CN or a DNS name must be the robot's name)");
    }

    /** The CN(s) and DNS names of the peer's certificate; none without TLS or a certificate. */
    static List<String> names(SslHandler ssl) {
        List<String> out = new ArrayList<>();
        if (ssl == null) {
            return out;
        }
        Certificate[] chain;
        try {
            chain = ssl.engine().getSession().getPeerCertificates();
        } catch (SSLPeerUnverifiedException e) {
            return out;
        }
        if (chain.length == 0 || !(chain[0] instanceof X509Certificate cert)) {
            return out;
        }
        try {
            for (Rdn rdn : new LdapName(cert.getSubjectX500Principal().getName()).getRdns()) {
                if (rdn.getType().equalsIgnoreCase("CN")) {
                    out.add(String.valueOf(rdn.getValue()));
                }
            }
        } catch (InvalidNameException e) {
            // no CN to offer; the DNS names may still match
        }
        try {
            Collection<List<?>> sans = cert.getSubjectAlternativeNames();
            if (sans != null) {
                for (List<?> san : sans) {
                    if (Integer.valueOf(2).equals(san.get(0))) { // dNSName
                        out.add(String.valueOf(san.get(1)));
                    }
                }
            }
        } catch (CertificateParsingException e) {
            // as above
        }
        return out;
    }
}
