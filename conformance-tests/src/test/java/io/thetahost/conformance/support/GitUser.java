package io.thetahost.conformance.support;

import io.thetahost.protocol.pktline.Packet;
import io.thetahost.protocol.pktline.PacketReader;
import io.thetahost.protocol.pktline.PacketType;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * A person on the client side: a home directory with its own git config, an SSH key registered with the daemon and an
 * HTTP token kept by git's {@code store} credential helper, exactly as a user would set them up.
 */
public final class GitUser {
    private final String name;
    private final Path home;
    private final Path key;
    private final ThetahostServer server;
    private String token;
    private int protocolVersion = -1;

    private GitUser(String name, Path home, Path key, ThetahostServer server) {
        this.name = name;
        this.home = home;
        this.key = key;
        this.server = server;
    }

    /** The same user with every git command (and those git starts itself) speaking the given protocol version. */
    public GitUser speaking(int version) {
        GitUser copy = new GitUser(name, home, key, server);
        copy.token = token;
        copy.protocolVersion = version;
        return copy;
    }

    /** Creates the user on the daemon with a new ed25519 key and a token. */
    public static GitUser create(ThetahostServer server, Path base, String name) {
        return create(server, base, name, "ed25519");
    }

    public static GitUser create(ThetahostServer server, Path base, String name, String keyType) {
        try {
            Path home = Files.createDirectories(base.resolve("home-" + name));
            Path key = home.resolve(".ssh/id_" + keyType);
            Files.createDirectories(key.getParent());
            generateKey(key, keyType);
            server.admin("user", "add", name, "--ssh-key", key + ".pub").assertOk();
            GitUser user = new GitUser(name, home, key, server);
            user.token = server.admin("token", "create", name).assertOk().out().strip();
            Files.writeString(home.resolve(".gitconfig"), String.join("\n",
                    "[user]",
                    "\tname = " + name,
                    "\temail = " + name + "@example.com",
                    "[init]",
                    "\tdefaultBranch = main",
                    "[credential]",
                    "\thelper = store",
                    "[advice]",
                    "\tdetachedHead = false",
                    ""));
            StringBuilder credentials = new StringBuilder();
            for (int port : server.httpPorts()) {
                credentials.append("http://").append(name).append(':').append(user.token).append("@127.0.0.1:")
                        .append(port).append('\n');
            }
            Files.writeString(home.resolve(".git-credentials"), credentials.toString());
            return user;
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** A user on the client machine only: no account on the daemon. */
    public static GitUser anonymous(ThetahostServer server, Path base) {
        try {
            Path home = Files.createDirectories(base.resolve("home-anonymous"));
            Files.writeString(home.resolve(".gitconfig"), "[user]\n\tname = anon\n\temail = anon@example.com\n"
                    + "[init]\n\tdefaultBranch = main\n");
            return new GitUser("anonymous", home, home.resolve(".ssh/none"), server);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    public static void generateKey(Path key, String type) {
        List<String> cmd = new ArrayList<>(List.of("ssh-keygen", "-q", "-N", "", "-C", "test@" + type, "-f",
                key.toString()));
        switch (type) {
            case "ed25519" -> cmd.addAll(List.of("-t", "ed25519"));
            case "ecdsa" -> cmd.addAll(List.of("-t", "ecdsa", "-b", "256"));
            case "rsa" -> cmd.addAll(List.of("-t", "rsa", "-b", "2048"));
            case "rsa1024" -> cmd.addAll(List.of("-t", "rsa", "-b", "1024"));
            default -> throw new IllegalArgumentException(type);
        }
        Cmd.of(cmd).run().assertOk();
    }

    public String name() {
        return name;
    }

    public Path home() {
        return home;
    }

    public Path key() {
        return key;
    }

    public String token() {
        return token;
    }

    /** ssh as git runs it for this user: only this key, no personal config, the daemon's host key pinned. */
    public String sshCommand() {
        return "ssh -F /dev/null -i " + key + " -o IdentitiesOnly=yes -o BatchMode=yes"
                + " -o UserKnownHostsFile=" + home.resolve("known_hosts")
                + " -o StrictHostKeyChecking=accept-new -o HostKeyAlias=thetahost-test";
    }

    public Map<String, String> env() {
        Map<String, String> env = new LinkedHashMap<>();
        env.put("HOME", home.toString());
        env.put("XDG_CONFIG_HOME", home.resolve(".config").toString());
        env.put("GIT_CONFIG_NOSYSTEM", "1");
        env.put("GIT_TERMINAL_PROMPT", "0");
        env.put("GIT_SSH_COMMAND", sshCommand());
        env.put("LC_ALL", "C");
        if (protocolVersion >= 0) {
            env.put("GIT_CONFIG_COUNT", "1");
            env.put("GIT_CONFIG_KEY_0", "protocol.version");
            env.put("GIT_CONFIG_VALUE_0", String.valueOf(protocolVersion));
        }
        return env;
    }

    public String url(Transport transport, String ownerSlashName) {
        return transport == Transport.SSH
                ? "ssh://" + name + "@127.0.0.1:" + server.sshPort() + "/" + ownerSlashName + ".git"
                : "http://127.0.0.1:" + server.httpPort() + "/" + ownerSlashName + ".git";
    }

    public Cmd.Result git(Path dir, String... args) {
        List<String> cmd = new ArrayList<>();
        cmd.add("git");
        cmd.addAll(List.of(args));
        return Cmd.of(cmd).in(dir).env(env()).run();
    }

    /** Runs ssh against the daemon as this user, with extra options and a remote command. */
    public Cmd ssh(String... args) {
        return sshAs(name, args);
    }

    /**
     * Starts a git service over ssh ({@code git-upload-pack} or {@code git-receive-pack} of {@code ownerSlashName},
     * protocol v0) and reads its whole ref advertisement: when this returns, the daemon is serving the request, which
     * stays in flight until the process's input says more or the process ends.
     */
    public Process startSshService(String service, String ownerSlashName) throws IOException {
        Process p = ssh("127.0.0.1", service + " '/" + ownerSlashName + ".git'").builder().start();
        PacketReader advertisement = new PacketReader(p.getInputStream());
        for (Packet packet = advertisement.read(); packet == null || packet.type() != PacketType.FLUSH;
                packet = advertisement.read()) {
            if (packet == null) {
                throw new IOException(service + " of " + ownerSlashName + " ended before its advertisement did: "
                        + new String(p.getErrorStream().readAllBytes(), StandardCharsets.UTF_8));
            }
        }
        return p;
    }

    /** Runs ssh with this user's key but logging in as {@code login}. */
    public Cmd sshAs(String login, String... args) {
        List<String> cmd = new ArrayList<>(List.of(sshCommand().split(" ")));
        cmd.addAll(List.of("-p", String.valueOf(server.sshPort()), "-l", login));
        cmd.addAll(List.of(args));
        return Cmd.of(cmd).env(env());
    }
}
