package pipeline.console;

import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.Principal;
import java.util.Map;

import javax.security.auth.Subject;
import javax.security.auth.callback.Callback;
import javax.security.auth.callback.CallbackHandler;
import javax.security.auth.callback.NameCallback;
import javax.security.auth.callback.PasswordCallback;
import javax.security.auth.login.FailedLoginException;
import javax.security.auth.login.LoginException;
import javax.security.auth.spi.LoginModule;

/**
 * The JAAS login Hawtio asks for: the one user configured by pipeline.hawtio.user / password,
 * compared in constant time. Jetty hides its own login modules from web applications, and this
 * class lives outside the war, so the war's class loader finds it through its parent.
 */
public final class ConsoleLoginModule implements LoginModule {

    /** The role Hawtio requires ({@code hawtio.roles}). */
    public static final String ROLE = "admin";

    private static volatile String user = "";
    private static volatile byte[] password = new byte[0];

    private Subject subject;
    private CallbackHandler callbacks;
    private String loggedIn;

    /** The console's credentials; an empty password refuses everyone. */
    static void configure(String configuredUser, String configuredPassword) {
        user = configuredUser;
        password = configuredPassword.getBytes(StandardCharsets.UTF_8);
    }

    /** A principal naming a user or a role; Hawtio matches role principals by class name. */
    public record Role(String getName) implements Principal {
    }

    public record User(String getName) implements Principal {
    }

    @Override
    public void initialize(Subject subject, CallbackHandler callbackHandler, Map<String, ?> sharedState, Map<String, ?> options) {
        this.subject = subject;
        this.callbacks = callbackHandler;
    }

    @Override
    public boolean login() throws LoginException {
        NameCallback name = new NameCallback("user");
        PasswordCallback secret = new PasswordCallback("password", false);
        try {
            callbacks.handle(new Callback[] {name, secret});
        } catch (Exception e) {
            throw new LoginException("cannot read the credentials: " + e.getMessage());
        }
        char[] given = secret.getPassword() == null ? new char[0] : secret.getPassword();
        byte[] givenBytes = new String(given).getBytes(StandardCharsets.UTF_8);
        secret.clearPassword();
        boolean userMatches = MessageDigest.isEqual(String.valueOf(name.getName()).getBytes(StandardCharsets.UTF_8),
                user.getBytes(StandardCharsets.UTF_8));
        boolean passwordMatches = MessageDigest.isEqual(givenBytes, password);
        if (password.length == 0 || !userMatches || !passwordMatches) {
            throw new FailedLoginException("wrong user or password");
        }
        loggedIn = name.getName();
        return true;
    }

    @Override
    public boolean commit() {
        subject.getPrincipals().add(new User(loggedIn));
        subject.getPrincipals().add(new Role(ROLE));
        return true;
    }

    @Override
    public boolean abort() {
        loggedIn = null;
        return true;
    }

    @Override
    public boolean logout() {
        subject.getPrincipals().removeIf(principal -> principal instanceof User || principal instanceof Role);
        return true;
    }
}
