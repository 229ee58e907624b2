package pipeline.console;

import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.EnumSet;
import java.util.Map;
import javax.security.auth.login.AppConfigurationEntry;
import javax.security.auth.login.Configuration;

import jakarta.servlet.DispatcherType;
import jakarta.servlet.Filter;
import jakarta.servlet.FilterChain;
import jakarta.servlet.ServletException;
import jakarta.servlet.ServletRequest;
import jakarta.servlet.ServletResponse;
import jakarta.servlet.http.HttpServletRequest;
import jakarta.servlet.http.HttpServletRequestWrapper;
import jakarta.servlet.http.HttpServletResponse;
import jakarta.servlet.http.HttpSession;
import org.apache.camel.support.service.ServiceSupport;
import org.eclipse.jetty.ee10.servlet.FilterHolder;
import org.eclipse.jetty.ee10.webapp.WebAppContext;
import org.eclipse.jetty.server.Server;
import org.eclipse.jetty.server.ServerConnector;
import org.eclipse.jetty.util.ClassMatcher;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import pipeline.config.PipelineSettings;

/**
 * The Hawtio web console in the pipeline's JVM, at {@code http://{host}:{port}/hawtio}: Hawtio's war
 * (packed in the jar) on an embedded Jetty, its login checked by {@link ConsoleLoginModule}, and its
 * Jolokia endpoint closed to scripts from other web origins. Started and stopped with Camel.
 */
public final class HawtioConsole extends ServiceSupport {

    private static final Logger LOG = LoggerFactory.getLogger(HawtioConsole.class);
    private static final String REALM = "trip-pipeline";
    private static final String WAR = "/hawtio/hawtio.war";

    private final PipelineSettings settings;
    private Server server;
    private Path war;

    public HawtioConsole(PipelineSettings settings) {
        this.settings = settings;
    }

    public String url() {
        return "http://" + settings.console.hawtioHost + ":" + settings.console.hawtioPort + "/hawtio";
    }

    @Override
    protected void doStart() throws Exception {
        ConsoleLoginModule.configure(settings.console.hawtioUser, settings.console.hawtioPassword);
        useLoginModuleForRealm();
        System.setProperty("hawtio.authenticationEnabled", "true");
        System.setProperty("hawtio.realm", REALM);
        System.setProperty("hawtio.roles", ConsoleLoginModule.ROLE);
        System.setProperty("hawtio.rolePrincipalClasses", ConsoleLoginModule.Role.class.getName());
        System.setProperty("hawtio.offline", "true");

        war = Files.createTempFile("trip-pipeline-hawtio", ".war");
        try (InputStream packed = HawtioConsole.class.getResourceAsStream(WAR)) {
            if (packed == null) {
                throw new IOException(WAR + " is missing from the jar");
            }
            Files.copy(packed, war, StandardCopyOption.REPLACE_EXISTING);
        }
        WebAppContext console = new WebAppContext();
        console.setContextPath("/hawtio");
        console.setWar(war.toString());
        // the war brings its own SLF4J API and a Log4j binding: the console logs through the pipeline's instead
        console.addProtectedClassMatcher(new ClassMatcher("org.slf4j.", "org.apache.commons.logging."));
        console.addFilter(new FilterHolder(new SameOrigin()), "/jolokia/*", EnumSet.of(DispatcherType.REQUEST));
        console.addFilter(new FilterHolder(new SessionLogout()), "/auth/logout", EnumSet.of(DispatcherType.REQUEST));

        server = new Server();
        ServerConnector connector = new ServerConnector(server);
        connector.setHost(settings.console.hawtioHost);
        connector.setPort(settings.console.hawtioPort);
        server.addConnector(connector);
        server.setHandler(console);
        server.start();
        LOG.info("Hawtio console at {} (user {})", url(), settings.console.hawtioUser);
    }

    @Override
    protected void doStop() throws Exception {
        if (server != null) {
            server.stop();
        }
        if (war != null) {
            Files.deleteIfExists(war);
        }
    }

    /** The JAAS realm Hawtio logs in against; other realms keep whatever was configured before. */
    private static void useLoginModuleForRealm() {
        Configuration previous;
        try {
            previous = Configuration.getConfiguration();
        } catch (SecurityException noneConfigured) {
            previous = null;
        }
        Configuration others = previous;
        AppConfigurationEntry[] entries = {new AppConfigurationEntry(ConsoleLoginModule.class.getName(),
                AppConfigurationEntry.LoginModuleControlFlag.REQUIRED, Map.of())};
        Configuration.setConfiguration(new Configuration() {
            @Override
            public AppConfigurationEntry[] getAppConfigurationEntry(String name) {
                return REALM.equals(name) ? entries : others == null ? null : others.getAppConfigurationEntry(name);
            }
        });
    }

    /**
     * Makes logging out end the session. Hawtio's logout first asks the container to log out, which
     * Jetty 12 refuses without its own security handler (a 500 that left the session valid); the
     * request is told it has nothing to undo, and the session is invalidated here in any case.
     */
    private static final class SessionLogout implements Filter {
        @Override
        public void doFilter(ServletRequest request, ServletResponse response, FilterChain chain) throws IOException, ServletException {
            HttpServletRequest http = (HttpServletRequest) request;
            try {
                chain.doFilter(new HttpServletRequestWrapper(http) {
                    @Override
                    public void logout() {
                        // no container login to undo: Hawtio's session holds the login
                    }
                }, response);
            } finally {
                HttpSession session = http.getSession(false);
                if (session != null) {
                    session.invalidate();
                }
            }
        }
    }

    /**
     * Refuses Jolokia calls that a page of another web origin makes with the operator's session (a
     * cross-site request); the console's own pages and scripts without an Origin header pass, and
     * still need a login.
     */
    private static final class SameOrigin implements Filter {
        @Override
        public void doFilter(ServletRequest request, ServletResponse response, FilterChain chain) throws IOException, ServletException {
            HttpServletRequest http = (HttpServletRequest) request;
            String origin = http.getHeader("Origin");
            // the console's own pages come from the address the browser used, whatever interface it listens on
            if (origin != null && !origin.equals(http.getScheme() + "://" + http.getHeader("Host"))) {
                ((HttpServletResponse) response).sendError(HttpServletResponse.SC_FORBIDDEN, "cross-origin calls are refused");
                return;
            }
            chain.doFilter(request, response);
        }
    }
}
